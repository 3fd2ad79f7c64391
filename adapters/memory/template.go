package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/template"
)

// templateState is a service's reply templates and forbidden words.
type templateState struct {
	templates map[string]*templateRow // id → row
	codes     map[string]string       // template.CodeKey(code) → id: a unique key

	words   map[string]template.ForbiddenWord // id → entry
	folded  map[string]string                 // template.Fold(word) → id: a unique key
	version string                            // the list's version; "" never changed
}

// templateRow is a stored template with the folded forms Find matches.
type templateRow struct {
	t      template.Template // CategoryIDs ascending, once each, nil for none
	key    string            // template.CodeKey(t.Code)
	search string            // template.SearchText(t.Title, t.Content)
}

func newTemplateState() templateState {
	return templateState{templates: map[string]*templateRow{}, codes: map[string]string{},
		words: map[string]template.ForbiddenWord{}, folded: map[string]string{}}
}

// newTemplateRow copies t into a row.
func newTemplateRow(t template.Template) *templateRow {
	t = t.Clone()
	slices.Sort(t.CategoryIDs)
	t.CategoryIDs = slices.Compact(t.CategoryIDs)
	if len(t.CategoryIDs) == 0 {
		t.CategoryIDs = nil
	}
	return &templateRow{t: t, key: template.CodeKey(t.Code), search: template.SearchText(t.Title, t.Content)}
}

// templateRepo is template.Repository on the transaction's tenant. The
// tenant lock is held for the whole transaction, so Lock has nothing to do.
type templateRepo struct{ tx *txn }

func (r templateRepo) state() *templateState { return &r.tx.t.tpl }

func (r templateRepo) row(id string) (*templateRow, error) {
	row, ok := r.state().templates[id]
	if !ok {
		return nil, errs.NotFound("template", id)
	}
	return row, nil
}

func (r templateRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }

func (r templateRepo) Insert(ctx context.Context, t template.Template) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	st := r.state()
	row := newTemplateRow(t)
	if _, ok := st.templates[t.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "template %q exists", t.ID)
	}
	if _, ok := st.codes[row.key]; ok {
		return errs.New(helpdesk.ErrConflict, "template code key %q is taken", row.key)
	}
	st.templates[t.ID], st.codes[row.key] = row, t.ID
	r.tx.onUndo(func() {
		delete(st.templates, t.ID)
		delete(st.codes, row.key)
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

func (r templateRepo) Find(ctx context.Context, q template.Query) ([]template.Template, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	terms := q.Terms()
	var rows []*templateRow
	for _, row := range r.state().templates {
		if q.MatchesFolded(row.key, row.search, row.t.CategoryIDs, terms) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b *templateRow) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.t.ID, b.t.ID)) })
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	out := make([]template.Template, len(rows))
	for i, row := range rows {
		out[i] = row.t.Clone()
	}
	return out, nil
}

func (r templateRepo) Save(ctx context.Context, t template.Template) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	old, err := r.row(t.ID)
	if err != nil {
		return err
	}
	row := newTemplateRow(t)
	if id, ok := st.codes[row.key]; ok && id != t.ID {
		return errs.New(helpdesk.ErrConflict, "template code key %q is taken", row.key)
	}
	delete(st.codes, old.key)
	st.templates[t.ID], st.codes[row.key] = row, t.ID
	r.tx.onUndo(func() {
		delete(st.codes, row.key)
		st.templates[t.ID], st.codes[old.key] = old, t.ID
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
	r.tx.onUndo(func() { st.templates[id], st.codes[row.key] = row, id })
	return nil
}

// bump gives the forbidden-word list a new version, never used before.
func (r templateRepo) bump() {
	st := r.state()
	old := st.version
	st.version = uuid.NewString()
	r.tx.onUndo(func() { st.version = old })
}

func (r templateRepo) InsertWords(ctx context.Context, ws []template.ForbiddenWord) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	st := r.state()
	keys := make([]string, len(ws))
	ids, folded := make(map[string]bool, len(ws)), make(map[string]bool, len(ws)) // of ws
	for i, w := range ws {
		keys[i] = template.Fold(w.Word)
		if _, ok := st.words[w.ID]; ok || ids[w.ID] {
			return errs.New(helpdesk.ErrConflict, "forbidden word %q exists", w.ID)
		}
		if _, ok := st.folded[keys[i]]; ok || folded[keys[i]] {
			return errs.New(helpdesk.ErrConflict, "forbidden word %q is taken", keys[i])
		}
		ids[w.ID], folded[keys[i]] = true, true
	}
	for i, w := range ws {
		st.words[w.ID], st.folded[keys[i]] = w, w.ID
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

func (r templateRepo) SaveWord(ctx context.Context, w template.ForbiddenWord) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	old, ok := st.words[w.ID]
	if !ok {
		return errs.NotFound("forbidden word", w.ID)
	}
	oldKey, key := template.Fold(old.Word), template.Fold(w.Word)
	if id, ok := st.folded[key]; ok && id != w.ID {
		return errs.New(helpdesk.ErrConflict, "forbidden word %q is taken", key)
	}
	delete(st.folded, oldKey)
	st.words[w.ID], st.folded[key] = w, w.ID
	r.tx.onUndo(func() {
		delete(st.folded, key)
		st.words[w.ID], st.folded[oldKey] = old, w.ID
	})
	r.bump()
	return nil
}

func (r templateRepo) DeleteWord(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := r.state()
	old, ok := st.words[id]
	if !ok {
		return errs.NotFound("forbidden word", id)
	}
	key := template.Fold(old.Word)
	delete(st.words, id)
	delete(st.folded, key)
	r.tx.onUndo(func() { st.words[id], st.folded[key] = old, id })
	r.bump()
	return nil
}

func (r templateRepo) Words(ctx context.Context, known string) (template.WordList, error) {
	if err := r.tx.check(ctx); err != nil {
		return template.WordList{}, err
	}
	st := r.state()
	l := template.WordList{Version: st.version}
	if known == st.version {
		return l, nil
	}
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
