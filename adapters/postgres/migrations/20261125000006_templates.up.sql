-- Reply templates (TPL-1..3) and forbidden words (FWD-1). Every primary key
-- and unique index starts with service_id (so that the schema can be
-- sharded by service). The folded columns hold template.Fold of a text,
-- computed by the application so that both stores compare exactly alike;
-- they sort in byte order (COLLATE "C") like the memory store.

CREATE TABLE reply_templates (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id           text NOT NULL,
    title        text NOT NULL,
    content      text NOT NULL,
    code         text NOT NULL,
    -- template.CodeKey(code): unique, and searched by prefix.
    code_key     text COLLATE "C" NOT NULL,
    -- template.SearchText(title, content): searched for words.
    search_text  text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

-- Unique search code per service (TPL-1: a duplicate is a unique
-- violation, ErrConflict); its "C" collation lets LIKE 'prefix%' use it.
CREATE UNIQUE INDEX reply_templates_code_key ON reply_templates (service_id, code_key);

--bun:split

-- Links to processing categories (TPL-2). Category ids are opaque here: a
-- deleted category's links are removed by the category workflow.
CREATE TABLE reply_template_categories (
    service_id   text NOT NULL,
    template_id  text NOT NULL,
    category_id  text COLLATE "C" NOT NULL,
    PRIMARY KEY (service_id, template_id, category_id),
    FOREIGN KEY (service_id, template_id) REFERENCES reply_templates (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX reply_template_categories_category_idx ON reply_template_categories (service_id, category_id);

--bun:split

-- One row per service once its forbidden-word list changed: the list's
-- version (a new random id on every change, so a matcher cached under it
-- is never stale).
CREATE TABLE forbidden_word_lists (
    service_id  text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    version     text NOT NULL
);

--bun:split

CREATE TABLE forbidden_words (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    word        text NOT NULL,
    -- template.Fold(word): unique per service (FWD-1), the order of the
    -- list.
    folded      text COLLATE "C" NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX forbidden_words_folded_key ON forbidden_words (service_id, folded);
