package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/rowconv"
	"github.com/deskkit/deskkit/template"
)

// templateRepo is template.Repository: reply templates in reply_templates
// with their category links in reply_template_categories (TPL-1..3), the
// forbidden-word list in forbidden_words and its version in
// forbidden_word_lists (FWD-1). It checks no rule: the unique indexes on
// (service_id, code_key) and (service_id, folded) turn a duplicate into a
// unique violation, ErrConflict. Lock is a transaction-scoped advisory
// lock. Every write to the list gives it a new random version in the same
// statement.
type templateRepo repos

// templateRow is a row of reply_templates; CategoryIDs are read along.
type templateRow struct {
	bun.BaseModel `bun:"table:reply_templates,alias:t"`

	ServiceID  string    `bun:"service_id,pk"`
	ID         string    `bun:"id,pk"`
	Title      string    `bun:"title"`
	Content    string    `bun:"content"`
	Code       string    `bun:"code"`
	CodeKey    string    `bun:"code_key"`    // template.CodeKey(Code)
	SearchText string    `bun:"search_text"` // template.SearchText(Title, Content)
	CreatedAt  time.Time `bun:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at"`

	CategoryIDs []string `bun:"category_ids,array,scanonly"`
}

// templateLinkRow is a row of reply_template_categories.
type templateLinkRow struct {
	bun.BaseModel `bun:"table:reply_template_categories,alias:c"`

	ServiceID  string `bun:"service_id,pk"`
	TemplateID string `bun:"template_id,pk"`
	CategoryID string `bun:"category_id,pk"`
}

// wordRow is a row of forbidden_words; Version is the list's, when Words
// reads it along.
type wordRow struct {
	bun.BaseModel `bun:"table:forbidden_words,alias:w"`

	ServiceID string    `bun:"service_id,pk"`
	ID        string    `bun:"id,pk"`
	Word      string    `bun:"word"`
	Folded    string    `bun:"folded"` // template.Fold(Word)
	CreatedAt time.Time `bun:"created_at"`

	Version string `bun:"version,scanonly"`
}

// wordListRow is a row of forbidden_word_lists.
type wordListRow struct {
	bun.BaseModel `bun:"table:forbidden_word_lists"`

	ServiceID string `bun:"service_id,pk"`
	Version   string `bun:"version"`
}

func (r templateRepo) row(t template.Template) templateRow {
	return templateRow{ServiceID: r.sid, ID: t.ID, Title: t.Title, Content: t.Content, Code: t.Code,
		CodeKey: template.CodeKey(t.Code), SearchText: template.SearchText(t.Title, t.Content),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (row *templateRow) template() template.Template {
	t := template.Template{ID: row.ID, Title: row.Title, Content: row.Content, Code: row.Code,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if len(row.CategoryIDs) > 0 {
		t.CategoryIDs = row.CategoryIDs
	}
	return t
}

func (r templateRepo) Lock(ctx context.Context) error { return lockArea(ctx, r.tx, "templates", r.sid) }

func (r templateRepo) Insert(ctx context.Context, t template.Template) error {
	row := r.row(t)
	ins := r.tx.NewInsert().Model(&row)
	if ids := rowconv.Links(t); len(ids) > 0 {
		ls := make([]templateLinkRow, len(ids))
		for i, id := range ids {
			ls[i] = templateLinkRow{ServiceID: r.sid, TemplateID: t.ID, CategoryID: id}
		}
		ins = r.tx.NewInsert().With("template", ins).Model(&ls)
	}
	_, err := ins.Exec(ctx)
	return mapErr(err, name("template", t.ID), templateKeys(t)...)
}

// templateKeys words the refusals of a template's unique keys as the
// memory store does.
func templateKeys(t template.Template) []key {
	return []key{
		{"reply_templates_pkey", func() error { return errs.New(errs.ErrConflict, "template %q exists", t.ID) }},
		{"reply_templates_code_key", func() error {
			return errs.New(errs.ErrConflict, "template code key %q is taken", template.CodeKey(t.Code))
		}},
	}
}

// selectTemplates selects rows with their links, in Compare order; callers
// add conditions.
func (r templateRepo) selectTemplates(rows *[]templateRow) *bun.SelectQuery {
	return r.tx.NewSelect().Model(rows).ExcludeColumn("code_key", "search_text").
		ColumnExpr(`ARRAY(SELECT c.category_id FROM reply_template_categories AS c
	WHERE c.service_id = t.service_id AND c.template_id = t.id ORDER BY c.category_id) AS category_ids`).
		Where("t.service_id = ?", r.sid).
		OrderExpr(`t.code_key, t.id COLLATE "C"`)
}

func (r templateRepo) Get(ctx context.Context, id string) (template.Template, error) {
	var rows []templateRow
	if err := r.selectTemplates(&rows).Where("t.id = ?", id).Scan(ctx); err != nil {
		return template.Template{}, mapErr(err, name("template", id))
	}
	if len(rows) == 0 {
		return template.Template{}, errs.NotFound("template", id)
	}
	return rows[0].template(), nil
}

// likeEscaper escapes LIKE's wildcards (the escape character is \).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Find mirrors template.Query.MatchesFolded on the stored code_key and
// search_text.
func (r templateRepo) Find(ctx context.Context, q template.Query) ([]template.Template, error) {
	var rows []templateRow
	sel := r.selectTemplates(&rows)
	if p := template.CodeKey(q.CodePrefix); p != "" {
		sel.Where(`t.code_key LIKE ? ESCAPE '\'`, likeEscaper.Replace(p)+"%")
	}
	if q.CategoryID != "" {
		sel.Where(`EXISTS (SELECT 1 FROM reply_template_categories AS c
	WHERE c.service_id = t.service_id AND c.template_id = t.id AND c.category_id = ?)`, q.CategoryID)
	}
	for _, w := range q.Terms() {
		sel.Where("strpos(t.search_text, ?) > 0", w)
	}
	if q.Limit > 0 {
		sel.Limit(int64(q.Limit))
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, mapErr(err, "templates")
	}
	out := make([]template.Template, len(rows))
	for i := range rows {
		out[i] = rows[i].template()
	}
	return out, nil
}

// Save updates the row and replaces its links in one statement: the links
// not in the set go, the missing ones come (when the row was found).
func (r templateRepo) Save(ctx context.Context, t template.Template) error {
	row, ids := r.row(t), pgdialect.Array(rowconv.Links(t))
	var n int
	err := r.tx.NewSelect().
		With("saved", r.tx.NewUpdate().Model(&row).WherePK().Returning("t.id")).
		With("unlinked", r.tx.NewDelete().Model((*templateLinkRow)(nil)).
			Where("c.service_id = ? AND c.template_id IN (SELECT id FROM saved) AND c.category_id <> ALL(?)", r.sid, ids)).
		With("linked", r.tx.NewRaw(`INSERT INTO reply_template_categories (service_id, template_id, category_id)
	SELECT ?, saved.id, c FROM saved, unnest(?::text[]) AS c ON CONFLICT DO NOTHING`, r.sid, ids)).
		TableExpr("saved").ColumnExpr("count(*)").Scan(ctx, &n)
	if err != nil {
		return mapErr(err, name("template", t.ID), templateKeys(t)...)
	}
	if n == 0 {
		return errs.NotFound("template", t.ID)
	}
	return nil
}

func (r templateRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model(&templateRow{ServiceID: r.sid, ID: id}).WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, name("template", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("template", id)
	}
	return nil
}

// bumpVersion gives the list a new version, making its row if needed.
func (r templateRepo) bumpVersion() *bun.InsertQuery {
	return r.tx.NewInsert().Model(&wordListRow{ServiceID: r.sid}).Value("version", "gen_random_uuid()::text").
		On("CONFLICT (service_id) DO UPDATE").Set("version = EXCLUDED.version")
}

func (r templateRepo) InsertWords(ctx context.Context, ws []template.ForbiddenWord) error {
	if len(ws) == 0 {
		return nil
	}
	rows := make([]wordRow, len(ws))
	for i, w := range ws {
		rows[i] = wordRow{ServiceID: r.sid, ID: w.ID, Word: w.Word, Folded: template.Fold(w.Word), CreatedAt: w.CreatedAt}
	}
	_, err := r.bumpVersion().With("inserted", r.tx.NewInsert().Model(&rows)).Exec(ctx)
	return mapErr(err, "forbidden words",
		key{"forbidden_words_pkey", func() error { return errs.New(errs.ErrConflict, "forbidden word %q exists", keyValue(err, 1)) }},
		key{"forbidden_words_folded_key", func() error { return errs.New(errs.ErrConflict, "forbidden word %q is taken", keyValue(err, 1)) }})
}

// changeWord runs change, a statement on one word returning a row when it
// found it, and gives the list a new version if it did.
func (r templateRepo) changeWord(ctx context.Context, id string, change bun.Query, keys ...key) error {
	var n int
	err := r.tx.NewSelect().With("changed", change).
		With("bumped", r.tx.NewUpdate().Model(&wordListRow{ServiceID: r.sid}).
			Set("version = gen_random_uuid()::text").WherePK().Where("EXISTS (SELECT 1 FROM changed)")).
		TableExpr("changed").ColumnExpr("count(*)").Scan(ctx, &n)
	if err != nil {
		return mapErr(err, name("forbidden word", id), keys...)
	}
	if n == 0 {
		return errs.NotFound("forbidden word", id)
	}
	return nil
}

func (r templateRepo) SaveWord(ctx context.Context, w template.ForbiddenWord) error {
	row := wordRow{ServiceID: r.sid, ID: w.ID, Word: w.Word, Folded: template.Fold(w.Word), CreatedAt: w.CreatedAt}
	return r.changeWord(ctx, w.ID, r.tx.NewUpdate().Model(&row).WherePK().Returning("1"),
		key{"forbidden_words_folded_key", func() error { return errs.New(errs.ErrConflict, "forbidden word %q is taken", row.Folded) }})
}

func (r templateRepo) DeleteWord(ctx context.Context, id string) error {
	return r.changeWord(ctx, id, r.tx.NewDelete().Model(&wordRow{ServiceID: r.sid, ID: id}).WherePK().Returning("1"))
}

// Words reads the version and the words in one statement, so they belong
// together: a row with the version alone (ID ""), then a row per word. The
// words' condition on the version is a one-time filter: with a known
// version no word is read.
func (r templateRepo) Words(ctx context.Context, known string) (template.WordList, error) {
	var rows []wordRow
	err := r.tx.NewRaw(`SELECT `+listVersion+` AS version, NULL AS id, NULL AS word, NULL AS created_at, NULL AS folded
UNION ALL
SELECT NULL, id, word, created_at, folded FROM forbidden_words WHERE service_id = ?0 AND `+listVersion+` <> ?1
ORDER BY folded NULLS FIRST`, r.sid, known).Scan(ctx, &rows)
	if err != nil {
		return template.WordList{}, mapErr(err, "forbidden words")
	}
	var l template.WordList
	for _, row := range rows {
		if row.ID == "" {
			l.Version = row.Version
			continue
		}
		l.Words = append(l.Words, template.ForbiddenWord{ID: row.ID, Word: row.Word, CreatedAt: row.CreatedAt.UTC()})
	}
	return l, nil
}

// listVersion is the version of the list of service ?0, "" if it never
// changed.
const listVersion = `coalesce((SELECT version FROM forbidden_word_lists WHERE service_id = ?0), '')`
