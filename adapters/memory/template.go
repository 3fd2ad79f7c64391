package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/template"
)

// templateState is a tenant's reply templates and forbidden words.
type templateState struct {
	templates map[string]*templateRow // id → row
	codes     map[string]string       // template.CodeKey(code) → id

	words   map[string]template.ForbiddenWord // id → word
	folded  map[string]string                 // template.Fold(word) → id
	version string                            // the list's version; "" never changed
}

// templateRow is a template with the folded forms the queries use.
type templateRow struct {
	t      template.Template // CategoryIDs ascending, without duplicates
	key    string            // template.CodeKey(t.Code)
	search string            // template.SearchText(t.Title, t.Content)
}

func newTemplateState() templateState {
	return templateState{templates: map[string]*templateRow{}, codes: map[string]string{},
		words: map[string]template.ForbiddenWord{}, folded: map[string]string{}}
}

type templateRepo struct{ tx *txn }

func (r templateRepo) state() *templateState { return &r.tx.t.tpl }

func (r templateRepo) row(id string) (*templateRow, error) {
	row, ok := r.state().templates[id]
	if !ok {
		return nil, fmt.Errorf("template %q: %w", id, helpdesk.ErrNotFound)
	}
	return row, nil
}

func (r templateRepo) Create(ctx context.Context, t template.Template) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	if _, ok := st.templates[t.ID]; ok {
		return fmt.Errorf("template %q exists: %w", t.ID, helpdesk.ErrConflict)
	}
	key := template.CodeKey(t.Code)
	if _, ok := st.codes[key]; ok {
		return &template.DuplicateCodeError{Code: t.Code}
	}
	t = t.Clone()
	slices.Sort(t.CategoryIDs)
	t.CategoryIDs = slices.Compact(t.CategoryIDs)
	if len(t.CategoryIDs) == 0 {
		t.CategoryIDs = nil
	}
	st.templates[t.ID] = &templateRow{t: t, key: key, search: template.SearchText(t.Title, t.Content)}
	st.codes[key] = t.ID
	r.tx.onUndo(func() {
		delete(st.templates, t.ID)
		delete(st.codes, key)
	})
	return nil
}

func (r templateRepo) Get(ctx context.Context, id string) (template.Template, error) {
	if err := r.tx.check(ctx); err != nil {
		return template.Template{}, err
	}
	row, err := r.row(id)
	if err != nil {
		return template.Template{}, err
	}
	return row.t.Clone(), nil
}

func (r templateRepo) Update(ctx context.Context, t template.Template) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	row, err := r.row(t.ID)
	if err != nil {
		return err
	}
	key := template.CodeKey(t.Code)
	if id, ok := st.codes[key]; ok && id != t.ID {
		return &template.DuplicateCodeError{Code: t.Code}
	}
	old := *row
	row.t.Title, row.t.Content, row.t.Code, row.t.UpdatedAt = t.Title, t.Content, t.Code, t.UpdatedAt
	row.key, row.search = key, template.SearchText(t.Title, t.Content)
	delete(st.codes, old.key)
	st.codes[key] = t.ID
	r.tx.onUndo(func() {
		delete(st.codes, key)
		st.codes[old.key] = old.t.ID
		*row = old
	})
	return nil
}

func (r templateRepo) Delete(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	row, err := r.row(id)
	if err != nil {
		return err
	}
	delete(st.templates, id)
	delete(st.codes, row.key)
	r.tx.onUndo(func() {
		st.templates[id] = row
		st.codes[row.key] = id
	})
	return nil
}

// sorted returns the templates rows selects, cloned, ordered by code key.
func (r templateRepo) sorted(keep func(*templateRow) bool, limit int) []template.Template {
	var rows []*templateRow
	for _, row := range r.state().templates {
		if keep(row) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b *templateRow) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.t.ID, b.t.ID)) })
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	out := make([]template.Template, len(rows))
	for i, row := range rows {
		out[i] = row.t.Clone()
	}
	return out
}

func (r templateRepo) List(ctx context.Context) ([]template.Template, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return r.sorted(func(*templateRow) bool { return true }, 0), nil
}

func (r templateRepo) ListByCategory(ctx context.Context, categoryID string) ([]template.Template, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return r.sorted(func(row *templateRow) bool { return slices.Contains(row.t.CategoryIDs, categoryID) }, 0), nil
}

func (r templateRepo) Link(ctx context.Context, templateID, categoryID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	row, err := r.row(templateID)
	if err != nil {
		return err
	}
	k, found := slices.BinarySearch(row.t.CategoryIDs, categoryID)
	if found {
		return nil
	}
	old := row.t.CategoryIDs
	row.t.CategoryIDs = slices.Insert(slices.Clone(old), k, categoryID)
	r.tx.onUndo(func() { row.t.CategoryIDs = old })
	return nil
}

func (r templateRepo) Unlink(ctx context.Context, templateID, categoryID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	row, err := r.row(templateID)
	if err != nil {
		return err
	}
	r.unlink(row, categoryID)
	return nil
}

func (r templateRepo) unlink(row *templateRow, categoryID string) {
	k, found := slices.BinarySearch(row.t.CategoryIDs, categoryID)
	if !found {
		return
	}
	old := row.t.CategoryIDs
	row.t.CategoryIDs = slices.Delete(slices.Clone(old), k, k+1)
	if len(row.t.CategoryIDs) == 0 {
		row.t.CategoryIDs = nil
	}
	r.tx.onUndo(func() { row.t.CategoryIDs = old })
}

func (r templateRepo) UnlinkCategory(ctx context.Context, categoryID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	for _, row := range r.state().templates {
		r.unlink(row, categoryID)
	}
	return nil
}

func (r templateRepo) Search(ctx context.Context, q template.Query) ([]template.Template, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	prefix, terms := template.Fold(q.CodePrefix), q.Terms()
	return r.sorted(func(row *templateRow) bool {
		if !strings.HasPrefix(row.key, prefix) {
			return false
		}
		if q.CategoryID != "" && !slices.Contains(row.t.CategoryIDs, q.CategoryID) {
			return false
		}
		for _, w := range terms {
			if !strings.Contains(row.search, w) {
				return false
			}
		}
		return true
	}, q.Limit), nil
}

// bump gives the forbidden-word list a new version, never used before.
func (r templateRepo) bump() {
	st := r.state()
	old := st.version
	st.version = uuid.NewString()
	r.tx.onUndo(func() { st.version = old })
}

func (r templateRepo) AddForbiddenWords(ctx context.Context, ws []template.ForbiddenWord) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	keys := make([]string, len(ws))
	batch := make(map[string]bool, len(ws))
	for i, w := range ws {
		if _, ok := st.words[w.ID]; ok {
			return fmt.Errorf("forbidden word %q exists: %w", w.ID, helpdesk.ErrConflict)
		}
		keys[i] = template.Fold(w.Word)
		if _, ok := st.folded[keys[i]]; ok || batch[keys[i]] {
			return &template.DuplicateWordError{Word: w.Word}
		}
		batch[keys[i]] = true
	}
	if len(ws) == 0 {
		return nil
	}
	for i, w := range ws {
		st.words[w.ID] = w
		st.folded[keys[i]] = w.ID
	}
	r.tx.onUndo(func() {
		for i, w := range ws {
			delete(st.words, w.ID)
			delete(st.folded, keys[i])
		}
	})
	r.bump()
	return nil
}

func (r templateRepo) UpdateForbiddenWord(ctx context.Context, w template.ForbiddenWord) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	old, ok := st.words[w.ID]
	if !ok {
		return fmt.Errorf("forbidden word %q: %w", w.ID, helpdesk.ErrNotFound)
	}
	oldKey, key := template.Fold(old.Word), template.Fold(w.Word)
	if id, ok := st.folded[key]; ok && id != w.ID {
		return &template.DuplicateWordError{Word: w.Word}
	}
	n := old
	n.Word = w.Word
	st.words[w.ID] = n
	delete(st.folded, oldKey)
	st.folded[key] = w.ID
	r.tx.onUndo(func() {
		delete(st.folded, key)
		st.folded[oldKey] = old.ID
		st.words[old.ID] = old
	})
	r.bump()
	return nil
}

func (r templateRepo) DeleteForbiddenWord(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	old, ok := st.words[id]
	if !ok {
		return fmt.Errorf("forbidden word %q: %w", id, helpdesk.ErrNotFound)
	}
	key := template.Fold(old.Word)
	delete(st.words, id)
	delete(st.folded, key)
	r.tx.onUndo(func() {
		st.words[id] = old
		st.folded[key] = id
	})
	r.bump()
	return nil
}

func (r templateRepo) ForbiddenWords(ctx context.Context) (template.WordList, error) {
	if err := r.tx.check(ctx); err != nil {
		return template.WordList{}, err
	}
	st := r.state()
	l := template.WordList{Version: st.version}
	keys := make([]string, 0, len(st.folded))
	for k := range st.folded {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		l.Words = append(l.Words, st.words[st.folded[k]])
	}
	return l, nil
}

func (r templateRepo) ForbiddenVersion(ctx context.Context) (string, error) {
	if err := r.tx.check(ctx); err != nil {
		return "", err
	}
	return r.state().version, nil
}
