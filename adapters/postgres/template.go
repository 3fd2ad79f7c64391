package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/template"
)

// This file holds the template package's port: reply templates with their
// category links (TPL-1..3) and the forbidden-word list (FWD-1).
//
// As elsewhere, a write that would conflict is checked first (or done with
// ON CONFLICT DO NOTHING) and refused with its error kind, leaving the
// transaction usable. Changes to the forbidden-word list take the service's
// forbidden_word_lists row lock first, so the uniqueness check and the write
// are not raced, and give the list a new random version.

// templateRepo stores reply templates and forbidden words.
type templateRepo repos

type templateRow struct {
	bun.BaseModel `bun:"table:reply_templates"`

	ServiceID   string    `bun:"service_id,pk"`
	ID          string    `bun:"id,pk"`
	Title       string    `bun:"title"`
	Content     string    `bun:"content"`
	Code        string    `bun:"code"`
	CodeKey     string    `bun:"code_key"`
	SearchText  string    `bun:"search_text"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
	CategoryIDs []string  `bun:"category_ids,array,scanonly"`
}

func (row *templateRow) template() template.Template {
	t := template.Template{ID: row.ID, Title: row.Title, Content: row.Content, Code: row.Code,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if len(row.CategoryIDs) > 0 {
		t.CategoryIDs = row.CategoryIDs
	}
	return t
}

// selectTemplates reads templates with their links, ascending; callers add
// conditions on t, then the order.
const selectTemplates = `SELECT t.id, t.title, t.content, t.code, t.created_at, t.updated_at,
	ARRAY(SELECT c.category_id FROM reply_template_categories c
		WHERE c.service_id = t.service_id AND c.template_id = t.id ORDER BY c.category_id) AS category_ids
FROM reply_templates t WHERE t.service_id = ?`

const orderTemplates = ` ORDER BY t.code_key, t.id COLLATE "C"`

// query runs selectTemplates with the extra condition and its arguments.
func (r templateRepo) query(ctx context.Context, what, cond string, limit int, args ...any) ([]template.Template, error) {
	q := selectTemplates + cond + orderTemplates
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var rows []templateRow
	if err := r.tx.NewRaw(q, append([]any{r.sid}, args...)...).Scan(ctx, &rows); err != nil {
		return nil, mapErr(err, what)
	}
	out := make([]template.Template, len(rows))
	for i := range rows {
		out[i] = rows[i].template()
	}
	return out, nil
}

func (r templateRepo) Create(ctx context.Context, t template.Template) error {
	row := templateRow{ServiceID: r.sid, ID: t.ID, Title: t.Title, Content: t.Content, Code: t.Code,
		CodeKey: template.CodeKey(t.Code), SearchText: template.SearchText(t.Title, t.Content),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	var ids []string
	err := r.tx.NewRaw(`INSERT INTO reply_templates (service_id, id, title, content, code, code_key, search_text, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		row.ServiceID, row.ID, row.Title, row.Content, row.Code, row.CodeKey, row.SearchText, row.CreatedAt, row.UpdatedAt).Scan(ctx, &ids)
	if err != nil {
		return mapErr(err, "template "+t.ID)
	}
	if len(ids) == 0 {
		var idTaken bool
		if err := r.tx.NewRaw("SELECT EXISTS (SELECT 1 FROM reply_templates WHERE service_id = ? AND id = ?)", r.sid, t.ID).Scan(ctx, &idTaken); err != nil {
			return mapErr(err, "template "+t.ID)
		}
		if idTaken {
			return fmt.Errorf("template %q exists: %w", t.ID, helpdesk.ErrConflict)
		}
		return &template.DuplicateCodeError{Code: t.Code}
	}
	if len(t.CategoryIDs) == 0 {
		return nil
	}
	_, err = r.tx.NewRaw(`INSERT INTO reply_template_categories (service_id, template_id, category_id)
SELECT ?, ?, c FROM unnest(?::text[]) AS c ON CONFLICT DO NOTHING`, r.sid, t.ID, pgdialect.Array(t.CategoryIDs)).Exec(ctx)
	return mapErr(err, "template "+t.ID)
}

func (r templateRepo) Get(ctx context.Context, id string) (template.Template, error) {
	ts, err := r.query(ctx, "template "+id, " AND t.id = ?", 0, id)
	if err != nil {
		return template.Template{}, err
	}
	if len(ts) == 0 {
		return template.Template{}, fmt.Errorf("template %q: %w", id, helpdesk.ErrNotFound)
	}
	return ts[0], nil
}

// updateTemplate writes the template unless another one has the code.
const updateTemplate = `UPDATE reply_templates SET title = ?2, content = ?3, code = ?4, code_key = ?5, search_text = ?6, updated_at = ?7
WHERE service_id = ?0 AND id = ?1
AND NOT EXISTS (SELECT 1 FROM reply_templates o WHERE o.service_id = ?0 AND o.code_key = ?5 AND o.id <> ?1)`

func (r templateRepo) Update(ctx context.Context, t template.Template) error {
	res, err := r.tx.NewRaw(updateTemplate, r.sid, t.ID, t.Title, t.Content, t.Code, template.CodeKey(t.Code),
		template.SearchText(t.Title, t.Content), t.UpdatedAt).Exec(ctx)
	if err != nil {
		return mapErr(err, "template "+t.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := r.Get(ctx, t.ID); err != nil {
			return err
		}
		return &template.DuplicateCodeError{Code: t.Code}
	}
	return nil
}

func (r templateRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewRaw("DELETE FROM reply_templates WHERE service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, "template "+id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("template %q: %w", id, helpdesk.ErrNotFound)
	}
	return nil
}

func (r templateRepo) List(ctx context.Context) ([]template.Template, error) {
	return r.query(ctx, "templates", "", 0)
}

// linkedTo keeps templates linked to a category.
const linkedTo = ` AND EXISTS (SELECT 1 FROM reply_template_categories c
	WHERE c.service_id = t.service_id AND c.template_id = t.id AND c.category_id = ?)`

func (r templateRepo) ListByCategory(ctx context.Context, categoryID string) ([]template.Template, error) {
	return r.query(ctx, "templates of category "+categoryID, linkedTo, 0, categoryID)
}

// changeLink runs the link change of stmt (on ?0 service, ?1 template, ?2
// category) when the template exists, and reports whether it does, in one
// statement.
func (r templateRepo) changeLink(ctx context.Context, stmt, templateID, categoryID string) error {
	var n int
	err := r.tx.NewRaw(`WITH t AS (SELECT id FROM reply_templates WHERE service_id = ?0 AND id = ?1), ch AS (`+stmt+`)
SELECT count(*) FROM t`, r.sid, templateID, categoryID).Scan(ctx, &n)
	if err != nil {
		return mapErr(err, "template "+templateID)
	}
	if n == 0 {
		return fmt.Errorf("template %q: %w", templateID, helpdesk.ErrNotFound)
	}
	return nil
}

func (r templateRepo) Link(ctx context.Context, templateID, categoryID string) error {
	return r.changeLink(ctx, `INSERT INTO reply_template_categories (service_id, template_id, category_id)
	SELECT ?0, t.id, ?2 FROM t ON CONFLICT DO NOTHING`, templateID, categoryID)
}

func (r templateRepo) Unlink(ctx context.Context, templateID, categoryID string) error {
	return r.changeLink(ctx, `DELETE FROM reply_template_categories c USING t
	WHERE c.service_id = ?0 AND c.template_id = t.id AND c.category_id = ?2`, templateID, categoryID)
}

func (r templateRepo) UnlinkCategory(ctx context.Context, categoryID string) error {
	_, err := r.tx.NewRaw("DELETE FROM reply_template_categories WHERE service_id = ? AND category_id = ?", r.sid, categoryID).Exec(ctx)
	return mapErr(err, "links of category "+categoryID)
}

// likeEscaper escapes LIKE's wildcards (the escape character is \).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (r templateRepo) Search(ctx context.Context, q template.Query) ([]template.Template, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	var cond strings.Builder
	var args []any
	if p := template.Fold(q.CodePrefix); p != "" {
		cond.WriteString(` AND t.code_key LIKE ? ESCAPE '\'`)
		args = append(args, likeEscaper.Replace(p)+"%")
	}
	if q.CategoryID != "" {
		cond.WriteString(linkedTo)
		args = append(args, q.CategoryID)
	}
	for _, w := range q.Terms() {
		cond.WriteString(" AND strpos(t.search_text, ?) > 0")
		args = append(args, w)
	}
	return r.query(ctx, "template search", cond.String(), q.Limit, args...)
}

// lockWords takes the service's list row lock (making the row if needed)
// until the transaction ends; the version stays.
func (r templateRepo) lockWords(ctx context.Context) error {
	_, err := r.tx.NewRaw(`INSERT INTO forbidden_word_lists (service_id, version) VALUES (?, '')
ON CONFLICT (service_id) DO UPDATE SET version = forbidden_word_lists.version`, r.sid).Exec(ctx)
	return mapErr(err, "forbidden words")
}

// bumpVersion is the CTE that gives the list a new version when the CTE
// named by its argument changed a row.
func bumpVersion(changed string) string {
	return `UPDATE forbidden_word_lists SET version = gen_random_uuid()::text
	WHERE service_id = ?0 AND EXISTS (SELECT 1 FROM ` + changed + `)`
}

func (r templateRepo) AddForbiddenWords(ctx context.Context, ws []template.ForbiddenWord) error {
	if len(ws) == 0 {
		return nil
	}
	ids, words, folded, ats := make([]string, len(ws)), make([]string, len(ws)), make([]string, len(ws)), make([]time.Time, len(ws))
	batch := make(map[string]bool, len(ws))
	for i, w := range ws {
		ids[i], words[i], folded[i], ats[i] = w.ID, w.Word, template.Fold(w.Word), w.CreatedAt
		if batch[folded[i]] {
			return &template.DuplicateWordError{Word: w.Word}
		}
		batch[folded[i]] = true
	}
	if err := r.lockWords(ctx); err != nil {
		return err
	}
	var clash []struct {
		ID     string `bun:"id"`
		Folded string `bun:"folded"`
	}
	err := r.tx.NewRaw(`SELECT id, folded FROM forbidden_words WHERE service_id = ? AND (id = ANY(?) OR folded = ANY(?)) LIMIT 1`,
		r.sid, pgdialect.Array(ids), pgdialect.Array(folded)).Scan(ctx, &clash)
	if err != nil {
		return mapErr(err, "forbidden words")
	}
	if len(clash) > 0 {
		for i := range ws {
			if folded[i] == clash[0].Folded {
				return &template.DuplicateWordError{Word: words[i]}
			}
		}
		return fmt.Errorf("forbidden word %q exists: %w", clash[0].ID, helpdesk.ErrConflict)
	}
	_, err = r.tx.NewRaw(`WITH ins AS (
	INSERT INTO forbidden_words (service_id, id, word, folded, created_at)
	SELECT ?0, w.id, w.word, w.folded, w.at FROM unnest(?1::text[], ?2::text[], ?3::text[], ?4::timestamptz[]) AS w(id, word, folded, at)
	RETURNING 1
)
`+bumpVersion("ins"), r.sid, pgdialect.Array(ids), pgdialect.Array(words), pgdialect.Array(folded), pgdialect.Array(ats)).Exec(ctx)
	return mapErr(err, "forbidden words")
}

func (r templateRepo) UpdateForbiddenWord(ctx context.Context, w template.ForbiddenWord) error {
	if err := r.lockWords(ctx); err != nil {
		return err
	}
	var known bool // an unknown id is ErrNotFound before anything else, as in memory
	if err := r.tx.NewRaw("SELECT EXISTS (SELECT 1 FROM forbidden_words WHERE service_id = ? AND id = ?)", r.sid, w.ID).Scan(ctx, &known); err != nil {
		return mapErr(err, "forbidden word "+w.ID)
	}
	if !known {
		return fmt.Errorf("forbidden word %q: %w", w.ID, helpdesk.ErrNotFound)
	}
	folded := template.Fold(w.Word)
	var taken bool
	if err := r.tx.NewRaw("SELECT EXISTS (SELECT 1 FROM forbidden_words WHERE service_id = ? AND folded = ? AND id <> ?)",
		r.sid, folded, w.ID).Scan(ctx, &taken); err != nil {
		return mapErr(err, "forbidden word "+w.ID)
	}
	if taken {
		return &template.DuplicateWordError{Word: w.Word}
	}
	var n int
	err := r.tx.NewRaw(`WITH u AS (
	UPDATE forbidden_words SET word = ?2, folded = ?3 WHERE service_id = ?0 AND id = ?1 RETURNING 1
), v AS (`+bumpVersion("u")+`)
SELECT count(*) FROM u`, r.sid, w.ID, w.Word, folded).Scan(ctx, &n)
	if err != nil {
		return mapErr(err, "forbidden word "+w.ID)
	}
	if n == 0 {
		return fmt.Errorf("forbidden word %q: %w", w.ID, helpdesk.ErrNotFound)
	}
	return nil
}

func (r templateRepo) DeleteForbiddenWord(ctx context.Context, id string) error {
	var n int
	err := r.tx.NewRaw(`WITH d AS (
	DELETE FROM forbidden_words WHERE service_id = ?0 AND id = ?1 RETURNING 1
), v AS (`+bumpVersion("d")+`)
SELECT count(*) FROM d`, r.sid, id).Scan(ctx, &n)
	if err != nil {
		return mapErr(err, "forbidden word "+id)
	}
	if n == 0 {
		return fmt.Errorf("forbidden word %q: %w", id, helpdesk.ErrNotFound)
	}
	return nil
}

// ForbiddenWords reads the version and the words in one statement, so they
// belong together.
func (r templateRepo) ForbiddenWords(ctx context.Context) (template.WordList, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT v.version, w.id, w.word, w.created_at
FROM (SELECT coalesce((SELECT version FROM forbidden_word_lists WHERE service_id = ?), '') AS version) v
LEFT JOIN forbidden_words w ON w.service_id = ?
ORDER BY w.folded, w.id COLLATE "C"`, r.sid, r.sid)
	if err != nil {
		return template.WordList{}, mapErr(err, "forbidden words")
	}
	defer rows.Close()
	var l template.WordList
	for rows.Next() {
		var id, word sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&l.Version, &id, &word, &at); err != nil {
			return template.WordList{}, mapErr(err, "forbidden words")
		}
		if id.Valid {
			l.Words = append(l.Words, template.ForbiddenWord{ID: id.String, Word: word.String, CreatedAt: at.Time.UTC()})
		}
	}
	if err := rows.Err(); err != nil {
		return template.WordList{}, mapErr(err, "forbidden words")
	}
	return l, nil
}

func (r templateRepo) ForbiddenVersion(ctx context.Context) (string, error) {
	var v string
	err := r.tx.NewRaw("SELECT coalesce((SELECT version FROM forbidden_word_lists WHERE service_id = ?), '')", r.sid).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, mapErr(err, "forbidden words")
}
