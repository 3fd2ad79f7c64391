package sqlite

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/rowconv"
	"github.com/deskkit/deskkit/template"
)

// templateRepo is template.Repository: reply templates in reply_templates
// with their category links in reply_template_categories (TPL-1..3), the
// forbidden-word list in forbidden_words and its version in
// forbidden_word_lists (FWD-1). It checks no rule: the unique indexes on
// (service_id, code_key) and (service_id, folded) turn a duplicate into a
// unique violation, ErrConflict. Every write to the list gives it a new
// random version.
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

	CategoryIDs []string `bun:"category_ids,type:json,scanonly"`
}

// templateLinkRow is a row of reply_template_categories.
type templateLinkRow struct {
	bun.BaseModel `bun:"table:reply_template_categories,alias:c"`

	ServiceID  string `bun:"service_id,pk"`
	TemplateID string `bun:"template_id,pk"`
	CategoryID string `bun:"category_id,pk"`
}

// wordRow is a row of forbidden_words.
type wordRow struct {
	bun.BaseModel `bun:"table:forbidden_words,alias:w"`

	ServiceID string    `bun:"service_id,pk"`
	ID        string    `bun:"id,pk"`
	Word      string    `bun:"word"`
	Folded    string    `bun:"folded"` // template.Fold(Word)
	CreatedAt time.Time `bun:"created_at"`
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

func (r templateRepo) Lock(ctx context.Context) error { return repos(r).lock(ctx) }

func (r templateRepo) Insert(ctx context.Context, t template.Template) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := r.row(t)
	if _, err := r.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		return mapErr(err, name("template", t.ID), r.templateKeys(t)...)
	}
	return r.link(ctx, t)
}

// link inserts t's category links.
func (r templateRepo) link(ctx context.Context, t template.Template) error {
	ids := rowconv.Links(t)
	if len(ids) == 0 {
		return nil
	}
	ls := make([]templateLinkRow, len(ids))
	for i, id := range ids {
		ls[i] = templateLinkRow{ServiceID: r.sid, TemplateID: t.ID, CategoryID: id}
	}
	_, err := r.db.NewInsert().Model(&ls).Exec(ctx)
	return mapErr(err, name("template", t.ID))
}

// templateKeys words the refusals of a template's unique keys as the
// memory store does.
func (r templateRepo) templateKeys(t template.Template) []key {
	return []key{
		{"reply_templates.service_id, reply_templates.id", func() error { return errs.New(errs.ErrConflict, "template %q exists", t.ID) }},
		{"reply_templates.service_id, reply_templates.code_key", func() error {
			return errs.New(errs.ErrConflict, "template code key %q is taken", template.CodeKey(t.Code))
		}},
		{foreignKey, func() error { return errs.NotFound("service", r.sid) }},
	}
}

// categoryIDs is the column of a template's links, ascending, as a JSON
// array.
const categoryIDs = `(SELECT json_group_array(category_id) FROM (SELECT c.category_id FROM reply_template_categories AS c
	WHERE c.service_id = t.service_id AND c.template_id = t.id ORDER BY c.category_id)) AS category_ids`

// selectTemplates selects rows with their links, in Compare order; callers
// add conditions.
func (r templateRepo) selectTemplates(rows *[]templateRow) *bun.SelectQuery {
	return r.db.NewSelect().Model(rows).ExcludeColumn("code_key", "search_text").ColumnExpr(categoryIDs).
		Where("t.service_id = ?", r.sid).OrderExpr("t.code_key, t.id")
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

// Find mirrors template.Query.MatchesFolded on the stored code_key and
// search_text, comparing bytes (no LIKE: SQLite's LIKE folds ASCII case).
func (r templateRepo) Find(ctx context.Context, q template.Query) ([]template.Template, error) {
	var rows []templateRow
	sel := r.selectTemplates(&rows)
	if p := template.CodeKey(q.CodePrefix); p != "" {
		sel.Where("substr(t.code_key, 1, ?) = ?", utf8.RuneCountInString(p), p)
	}
	if q.CategoryID != "" {
		sel.Where(`EXISTS (SELECT 1 FROM reply_template_categories AS c
	WHERE c.service_id = t.service_id AND c.template_id = t.id AND c.category_id = ?)`, q.CategoryID)
	}
	for _, w := range q.Terms() {
		sel.Where("instr(t.search_text, ?) > 0", w)
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

// Save updates the row and replaces its links.
func (r templateRepo) Save(ctx context.Context, t template.Template) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := r.row(t)
	res, err := r.db.NewUpdate().Model(&row).WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, name("template", t.ID), r.templateKeys(t)...)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("template", t.ID)
	}
	_, err = r.db.NewDelete().Model((*templateLinkRow)(nil)).Where("c.service_id = ? AND c.template_id = ?", r.sid, t.ID).Exec(ctx)
	if err != nil {
		return mapErr(err, name("template", t.ID))
	}
	return r.link(ctx, t)
}

func (r templateRepo) Delete(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model(&templateRow{ServiceID: r.sid, ID: id}).WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, name("template", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("template", id)
	}
	return nil
}

// bumpVersion gives the list a new version, making its row if needed.
func (r templateRepo) bumpVersion(ctx context.Context) error {
	_, err := r.db.NewInsert().Model(&wordListRow{ServiceID: r.sid, Version: uuid.NewString()}).
		On("CONFLICT (service_id) DO UPDATE").Set("version = EXCLUDED.version").Exec(ctx)
	return mapErr(err, "forbidden words", key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

func (r templateRepo) InsertWords(ctx context.Context, ws []template.ForbiddenWord) error {
	if len(ws) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	for _, w := range ws {
		row := wordRow{ServiceID: r.sid, ID: w.ID, Word: w.Word, Folded: template.Fold(w.Word), CreatedAt: w.CreatedAt}
		_, err := r.db.NewInsert().Model(&row).Exec(ctx)
		if err != nil {
			return mapErr(err, "forbidden words",
				key{"forbidden_words.service_id, forbidden_words.id", func() error { return errs.New(errs.ErrConflict, "forbidden word %q exists", w.ID) }},
				key{"forbidden_words.service_id, forbidden_words.folded", func() error {
					return errs.New(errs.ErrConflict, "forbidden word %q is taken", row.Folded)
				}},
				key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
		}
	}
	return r.bumpVersion(ctx)
}

func (r templateRepo) SaveWord(ctx context.Context, w template.ForbiddenWord) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := wordRow{ServiceID: r.sid, ID: w.ID, Word: w.Word, Folded: template.Fold(w.Word), CreatedAt: w.CreatedAt}
	res, err := r.db.NewUpdate().Model(&row).WherePK().Exec(ctx)
	return r.changedWord(ctx, w.ID, res, mapErr(err, name("forbidden word", w.ID),
		key{"forbidden_words.service_id, forbidden_words.folded", func() error {
			return errs.New(errs.ErrConflict, "forbidden word %q is taken", row.Folded)
		}}))
}

func (r templateRepo) DeleteWord(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model(&wordRow{ServiceID: r.sid, ID: id}).WherePK().Exec(ctx)
	return r.changedWord(ctx, id, res, mapErr(err, name("forbidden word", id)))
}

// changedWord gives the list a new version when a write of word id
// changed a row; no row is ErrNotFound.
func (r templateRepo) changedWord(ctx context.Context, id string, res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("forbidden word", id)
	}
	return r.bumpVersion(ctx)
}

// Words reads the version and, when it is not known, the words, in one
// snapshot.
func (r templateRepo) Words(ctx context.Context, known string) (template.WordList, error) {
	var vs []string
	err := r.db.NewSelect().Model((*wordListRow)(nil)).Column("version").Where("service_id = ?", r.sid).Scan(ctx, &vs)
	if err != nil {
		return template.WordList{}, mapErr(err, "forbidden words")
	}
	var l template.WordList
	if len(vs) > 0 {
		l.Version = vs[0]
	}
	if l.Version == known {
		return l, nil
	}
	var rows []wordRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("folded").Scan(ctx); err != nil {
		return template.WordList{}, mapErr(err, "forbidden words")
	}
	for _, row := range rows {
		l.Words = append(l.Words, template.ForbiddenWord{ID: row.ID, Word: row.Word, CreatedAt: row.CreatedAt.UTC()})
	}
	return l, nil
}
