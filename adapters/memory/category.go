package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
)

// categoryState is a tenant's categories of both trees, deleted ones
// included (their ids are never reused, their names stay readable).
type categoryState struct {
	byID map[string]*category.Category
}

func newCategoryState() categoryState {
	return categoryState{byID: map[string]*category.Category{}}
}

type categoryRepo struct{ tx *txn }

func (r categoryRepo) st() *categoryState { return &r.tx.t.cat }

// put stores a copy of c and records how to undo it.
func (r categoryRepo) put(c category.Category) {
	st := r.st()
	old, had := st.byID[c.ID]
	n := c.Clone()
	st.byID[c.ID] = &n
	r.tx.onUndo(func() {
		if had {
			st.byID[c.ID] = old
		} else {
			delete(st.byID, c.ID)
		}
	})
}

// live returns the live category id of tree (any tree when tree is empty).
func (r categoryRepo) live(what, id string, tree category.Tree) (category.Category, error) {
	c, ok := r.st().byID[id]
	if !ok || c.Deleted || (tree != "" && c.Tree != tree) {
		if tree != "" {
			return category.Category{}, fmt.Errorf("%s %s category %q: %w", what, tree, id, helpdesk.ErrNotFound)
		}
		return category.Category{}, fmt.Errorf("%s %q: %w", what, id, helpdesk.ErrNotFound)
	}
	return *c, nil
}

// all returns the live categories of tree, in no order.
func (r categoryRepo) all(tree category.Tree) []category.Category {
	var out []category.Category
	for _, c := range r.st().byID {
		if !c.Deleted && c.Tree == tree {
			out = append(out, *c)
		}
	}
	return out
}

// children returns the live children of parentID in tree by position.
func (r categoryRepo) children(tree category.Tree, parentID string) []category.Category {
	var out []category.Category
	for _, c := range r.st().byID {
		if !c.Deleted && c.Tree == tree && c.ParentID == parentID {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b category.Category) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// subtree returns c and its live descendants.
func (r categoryRepo) subtree(c category.Category) []category.Category {
	out := []category.Category{c}
	for _, d := range r.st().byID {
		if !d.Deleted && d.ID != c.ID && slices.Contains(d.Path, c.ID) {
			out = append(out, *d)
		}
	}
	return out
}

// closeGap moves the siblings after position pos of parentID up by one.
func (r categoryRepo) closeGap(tree category.Tree, parentID string, pos int) {
	for _, s := range r.children(tree, parentID) {
		if s.Position > pos {
			s.Position--
			r.put(s)
		}
	}
}

func (r categoryRepo) Create(ctx context.Context, c *category.Category) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	if !c.Tree.Valid() {
		return fmt.Errorf("category tree %q: %w", c.Tree, helpdesk.ErrInvalid)
	}
	if _, ok := r.st().byID[c.ID]; ok {
		return fmt.Errorf("category %q exists: %w", c.ID, helpdesk.ErrConflict)
	}
	var path []string
	if c.ParentID != "" {
		p, err := r.live("parent", c.ParentID, c.Tree)
		if err != nil {
			return err
		}
		path = append(slices.Clone(p.Path), p.ID)
	}
	if len(path)+1 > category.MaxDepth {
		return &category.DepthError{ID: c.ID, Level: len(path) + 1}
	}
	n := *c
	n.Path = path
	if err := category.NewClashError(category.FindClashes(n, n.Level(), r.all(c.Tree), nil)); err != nil {
		return err
	}
	n.Position = len(r.children(c.Tree, c.ParentID))
	n.Deleted = false
	r.put(n)
	*c = n.Clone()
	return nil
}

func (r categoryRepo) Get(ctx context.Context, id string) (category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return category.Category{}, err
	}
	c, ok := r.st().byID[id]
	if !ok {
		return category.Category{}, fmt.Errorf("category %q: %w", id, helpdesk.ErrNotFound)
	}
	return c.Clone(), nil
}

func (r categoryRepo) Path(ctx context.Context, id string) ([]category.Category, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]category.Category, 0, c.Level())
	for _, a := range c.Path {
		if p, ok := r.st().byID[a]; ok {
			out = append(out, p.Clone())
		}
	}
	return append(out, c), nil
}

func (r categoryRepo) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	if !tree.Valid() {
		return nil, fmt.Errorf("category tree %q: %w", tree, helpdesk.ErrInvalid)
	}
	cs := r.all(tree)
	for i := range cs {
		cs[i] = cs[i].Clone()
	}
	return category.Order(cs), nil
}

func (r categoryRepo) Update(ctx context.Context, c *category.Category) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	cur, err := r.live("category", c.ID, "")
	if err != nil {
		return err
	}
	cur.Name, cur.Enabled, cur.UpdatedAt = c.Name.Clone(), c.Enabled, c.UpdatedAt
	if err := category.NewClashError(category.FindClashes(cur, cur.Level(), r.all(cur.Tree), nil)); err != nil {
		return err
	}
	r.put(cur)
	*c = cur.Clone()
	return nil
}

func (r categoryRepo) Move(ctx context.Context, id, parentID string, at time.Time) (category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return category.Category{}, err
	}
	c, err := r.live("category", id, "")
	if err != nil {
		return category.Category{}, err
	}
	var parent *category.Category
	var prefix []string
	if parentID != "" {
		p, err := r.live("parent", parentID, c.Tree)
		if err != nil {
			return category.Category{}, err
		}
		parent, prefix = &p, append(slices.Clone(p.Path), p.ID)
	}
	sub := r.subtree(c)
	if err := category.CheckMove(sub, parent); err != nil {
		return category.Category{}, err
	}
	if parentID == c.ParentID {
		return c.Clone(), nil
	}
	moving := make(map[string]bool, len(sub))
	for _, d := range sub {
		moving[d.ID] = true
	}
	delta := len(prefix) - len(c.Path)
	others := r.all(c.Tree)
	var clashes []category.Clash
	for _, d := range sub {
		clashes = append(clashes, category.FindClashes(d, d.Level()+delta, others, func(id string) bool { return moving[id] })...)
	}
	if err := category.NewClashError(clashes); err != nil {
		return category.Category{}, err
	}
	r.closeGap(c.Tree, c.ParentID, c.Position)
	pos := len(r.children(c.Tree, parentID))
	for _, d := range sub {
		d.Path = append(slices.Clone(prefix), d.Path[len(c.Path):]...) // c.Path is the old prefix
		if d.ID == id {
			d.ParentID, d.Position, d.UpdatedAt = parentID, pos, at
		}
		r.put(d)
	}
	return r.Get(ctx, id)
}

func (r categoryRepo) Reorder(ctx context.Context, tree category.Tree, parentID string, ids []string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if !tree.Valid() {
		return fmt.Errorf("category tree %q: %w", tree, helpdesk.ErrInvalid)
	}
	if parentID != "" {
		if _, err := r.live("parent", parentID, tree); err != nil {
			return err
		}
	}
	kids := r.children(tree, parentID)
	if err := category.CheckReorder(ids, kids); err != nil {
		return err
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	for _, k := range kids {
		if k.Position != at[k.ID] {
			k.Position = at[k.ID]
			r.put(k)
		}
	}
	return nil
}

func (r categoryRepo) Delete(ctx context.Context, id string, at time.Time) ([]string, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	c, err := r.live("category", id, "")
	if err != nil {
		return nil, err
	}
	sub := r.subtree(c)
	slices.SortFunc(sub[1:], func(a, b category.Category) int {
		return cmp.Or(cmp.Compare(a.Level(), b.Level()), cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	ids := make([]string, len(sub))
	for i, d := range sub {
		d.Deleted, d.UpdatedAt = true, at
		r.put(d)
		ids[i] = d.ID
	}
	r.closeGap(c.Tree, c.ParentID, c.Position)
	return ids, nil
}

// Lock needs no lock here: the service's transactions run one at a time.
func (r categoryRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }
