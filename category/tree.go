package category

import (
	"cmp"
	"slices"

	"github.com/deskkit/deskkit/internal/errs"
)

// Order returns cs in display order: depth first, siblings by Position then
// id, every category right after its parent. A category whose parent is not
// in cs is treated as a root of the listing; such roots are ordered by
// level, position and id. cs is not changed.
func Order(cs []Category) []Category {
	present := make(map[string]bool, len(cs))
	for i := range cs {
		present[cs[i].ID] = true
	}
	children := make(map[string][]*Category, len(cs))
	var roots []*Category
	for i := range cs {
		c := &cs[i]
		if c.ParentID != "" && present[c.ParentID] {
			children[c.ParentID] = append(children[c.ParentID], c)
		} else {
			roots = append(roots, c)
		}
	}
	bySibling := func(a, b *Category) int {
		return cmp.Or(cmp.Compare(a.Level(), b.Level()), cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	}
	out := make([]Category, 0, len(cs))
	var walk func([]*Category)
	walk = func(level []*Category) {
		slices.SortFunc(level, bySibling)
		for _, c := range level {
			out = append(out, *c)
			walk(children[c.ID])
		}
	}
	walk(roots)
	return out
}

// CheckMove checks moving a subtree under parent (nil: to the roots) against
// the tree rules: sub[0] is the moved category and the rest its live
// descendants, in any order. It returns a *CycleError when parent is the
// moved category or below it, and a *DepthError naming the deepest
// category when the subtree would reach below MaxDepth (CAT-2).
func CheckMove(sub []Category, parent *Category) error {
	c := sub[0]
	newLevel := 1
	if parent != nil {
		if parent.IsUnder(c.ID) {
			return &CycleError{ID: c.ID, ParentID: parent.ID}
		}
		newLevel = parent.Level() + 1
	}
	deepest := c
	for _, d := range sub[1:] {
		if d.Level() > deepest.Level() || d.Level() == deepest.Level() && d.ID < deepest.ID {
			deepest = d
		}
	}
	if lvl := deepest.Level() - c.Level() + newLevel; lvl > MaxDepth {
		return &DepthError{ID: deepest.ID, Level: lvl}
	}
	return nil
}

// Index answers tree questions over categories held in memory, such as a
// tree a trigger engine loaded once. It is read-only after NewIndex and
// safe for concurrent use.
type Index struct {
	byID map[string]*Category
}

// NewIndex indexes a copy of cs by id.
func NewIndex(cs []Category) *Index {
	x := &Index{byID: make(map[string]*Category, len(cs))}
	own := make([]Category, len(cs))
	for i, c := range cs {
		own[i] = c.Clone()
		x.byID[c.ID] = &own[i]
	}
	return x
}

// Get returns the category with id.
func (x *Index) Get(id string) (Category, bool) {
	c, ok := x.byID[id]
	if !ok {
		return Category{}, false
	}
	return c.Clone(), true
}

// IsUnder reports whether category id is ancestor or lies below it: one
// map lookup and a scan of at most MaxDepth-1 ids (Category.IsUnder). An
// unknown id is under nothing.
func (x *Index) IsUnder(id, ancestor string) bool {
	c, ok := x.byID[id]
	return ok && c.IsUnder(ancestor)
}

// Path returns category id and its ancestors, root first; nil when id is
// unknown, and only the known part when an ancestor is missing.
func (x *Index) Path(id string) []Category {
	c, ok := x.byID[id]
	if !ok {
		return nil
	}
	out := make([]Category, 0, len(c.Path)+1)
	for _, a := range c.Path {
		if p, ok := x.byID[a]; ok {
			out = append(out, p.Clone())
		}
	}
	return append(out, c.Clone())
}

// HelpCenter returns the categories of an intake tree a customer may pick
// in the help center (CAT-6): live, enabled, with every ancestor enabled.
// The order of cs is kept.
func HelpCenter(cs []Category) []Category {
	off := make(map[string]bool)
	for _, c := range cs {
		if !c.Enabled || c.Deleted {
			off[c.ID] = true
		}
	}
	out := make([]Category, 0, len(cs))
	for _, c := range cs {
		if c.Tree == Intake && !off[c.ID] && !slices.ContainsFunc(c.Path, func(id string) bool { return off[id] }) {
			out = append(out, c)
		}
	}
	return out
}

// Names returns the names of path (as from Repository.Path) in lang,
// falling back to def (SVC-2): what a ticket's history shows for its
// category, "결제 > 환불". Deleted categories keep their names (CAT-5).
func Names(path []Category, lang, def string) []string {
	out := make([]string, len(path))
	for i, c := range path {
		out[i] = c.Name.Get(lang, def)
	}
	return out
}

// CheckReorder refuses a new order of siblings that does not name every
// category of siblings exactly once; the error matches ErrInvalid and names
// the first problem.
func CheckReorder(ids []string, siblings []Category) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return errs.New(ErrInvalid, "reorder: category %q is listed twice", id)
		}
		seen[id] = true
	}
	for _, s := range siblings {
		if !seen[s.ID] {
			return errs.New(ErrInvalid, "reorder: sibling %q is not listed", s.ID)
		}
	}
	if len(ids) != len(siblings) {
		return errs.New(ErrInvalid, "reorder: %d ids for %d siblings (ids of other categories listed)", len(ids), len(siblings))
	}
	return nil
}
