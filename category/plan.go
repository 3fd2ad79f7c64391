package category

import (
	"cmp"
	"slices"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
)

// The plan functions check one write against the tree rules and return the
// rows to store; the caller holds the service's category lock, read the
// live categories of the tree with Repository.Tree (live, in any order) and
// hands the rows on to Repository.Insert or Repository.Save as they are.
// Deleted categories and categories of other trees in live are ignored.
// They change nothing they are given and share no memory with it.

// PlanCreate places the new category c in its tree: it returns c as it is
// to be inserted, with Path and Position set (after the parent's other
// children) and Deleted false; ID, Tree, ParentID, Name, Enabled and the
// timestamps are kept. It refuses an unknown tree (ErrInvalid), a parent
// that is not a live category of c.Tree (ErrNotFound), a sixth level
// (*DepthError, CAT-2) and a name used on the level (*NameClashError,
// CAT-3).
func PlanCreate(live []Category, c Category) (Category, error) {
	if !c.Tree.Valid() {
		return Category{}, errs.New(ErrInvalid, "category tree %q", c.Tree)
	}
	c = c.Clone()
	c.Path, c.Deleted = nil, false
	if c.ParentID != "" {
		p, ok := find(live, c.Tree, c.ParentID)
		if !ok {
			return Category{}, errs.New(ErrNotFound, "parent %s category %q", c.Tree, c.ParentID)
		}
		c.Path = append(slices.Clone(p.Path), p.ID)
	}
	if c.Level() > MaxDepth {
		return Category{}, &DepthError{ID: c.ID, Level: c.Level()}
	}
	if err := NewClashError(FindClashes(c, c.Level(), live, nil)); err != nil {
		return Category{}, err
	}
	c.Position = len(children(live, c.Tree, c.ParentID))
	return c, nil
}

// CheckRename checks the names of c, a live category of live being renamed,
// against the other categories on its level (CAT-3): a *NameClashError
// lists every clash.
func CheckRename(live []Category, c Category) error {
	return NewClashError(FindClashes(c, c.Level(), live, nil))
}

// PlanMove moves category id, with its subtree, to the end of parentID's
// children (to the roots when parentID is empty) in its own tree. It
// returns the moved category as it is to be stored (UpdatedAt at) and the
// rows to save: the subtree with its paths rewritten and the old siblings
// closing the gap. Moving under the current parent changes nothing: the
// category and no rows. It refuses a category or parent that is not live
// in the tree (ErrNotFound), a parent that is the category or below it
// (*CycleError), a subtree that would reach below MaxDepth (*DepthError,
// CAT-2) and a name of the subtree used on its new level (*NameClashError
// listing every clash, CAT-3).
func PlanMove(live []Category, id, parentID string, at time.Time) (Category, []Category, error) {
	c, ok := find(live, "", id)
	if !ok {
		return Category{}, nil, errs.NotFound("category", id)
	}
	var parent *Category
	var prefix []string
	if parentID != "" {
		p, ok := find(live, c.Tree, parentID)
		if !ok {
			return Category{}, nil, errs.New(ErrNotFound, "parent %s category %q", c.Tree, parentID)
		}
		parent, prefix = &p, append(slices.Clone(p.Path), p.ID)
	}
	sub := subtree(live, c)
	if err := CheckMove(sub, parent); err != nil {
		return Category{}, nil, err
	}
	if parentID == c.ParentID {
		return c.Clone(), nil, nil
	}
	moving := make(map[string]bool, len(sub))
	for _, d := range sub {
		moving[d.ID] = true
	}
	delta := len(prefix) - len(c.Path)
	var clashes []Clash
	for _, d := range sub {
		clashes = append(clashes, FindClashes(d, d.Level()+delta, live, func(id string) bool { return moving[id] })...)
	}
	if err := NewClashError(clashes); err != nil {
		return Category{}, nil, err
	}
	rows := closeGap(live, c)
	pos := len(children(live, c.Tree, parentID))
	var moved Category
	for _, d := range sub {
		d = d.Clone()
		d.Path = append(slices.Clone(prefix), d.Path[len(c.Path):]...) // c.Path is the old prefix
		if len(d.Path) == 0 {
			d.Path = nil
		}
		if d.ID == id {
			d.ParentID, d.Position, d.UpdatedAt = parentID, pos, at
			moved = d.Clone()
		}
		rows = append(rows, d)
	}
	return moved, rows, nil
}

// PlanReorder sets the order of the children of parentID (the roots when
// empty) in tree: ids must name every live child exactly once (CheckReorder,
// ErrInvalid). It returns the children whose Position changes; ErrNotFound
// when parentID is not a live category of tree.
func PlanReorder(live []Category, tree Tree, parentID string, ids []string) ([]Category, error) {
	if parentID != "" {
		if _, ok := find(live, tree, parentID); !ok {
			return nil, errs.New(ErrNotFound, "parent %s category %q", tree, parentID)
		}
	}
	kids := children(live, tree, parentID)
	if err := CheckReorder(ids, kids); err != nil {
		return nil, err
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	var rows []Category
	for _, k := range kids {
		if k.Position != at[k.ID] {
			k = k.Clone()
			k.Position = at[k.ID]
			rows = append(rows, k)
		}
	}
	return rows, nil
}

// PlanDelete deletes category id and every live category below it (CAT-5):
// it returns their ids, id first, then the others by level, position and
// id, and the rows to save: the deleted categories (Deleted set, UpdatedAt
// at; ids, names and paths kept for history) and the siblings after id
// closing the gap. ErrNotFound when id is not a live category.
func PlanDelete(live []Category, id string, at time.Time) ([]string, []Category, error) {
	c, ok := find(live, "", id)
	if !ok {
		return nil, nil, errs.NotFound("category", id)
	}
	sub := subtree(live, c)
	slices.SortFunc(sub[1:], func(a, b Category) int {
		return cmp.Or(cmp.Compare(a.Level(), b.Level()), cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	ids := make([]string, len(sub))
	rows := make([]Category, 0, len(sub))
	for i, d := range sub {
		d = d.Clone()
		d.Deleted, d.UpdatedAt = true, at
		rows = append(rows, d)
		ids[i] = d.ID
	}
	return ids, append(rows, closeGap(live, c)...), nil
}

// find returns the live category id of tree (of any tree when tree is
// empty).
func find(live []Category, tree Tree, id string) (Category, bool) {
	for _, c := range live {
		if c.ID == id && !c.Deleted && (tree == "" || c.Tree == tree) {
			return c, true
		}
	}
	return Category{}, false
}

// children returns the live children of parentID (the roots when empty) in
// tree, by position and id.
func children(live []Category, tree Tree, parentID string) []Category {
	var out []Category
	for _, c := range live {
		if !c.Deleted && c.Tree == tree && c.ParentID == parentID {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Category) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// subtree returns c and its live descendants, c first.
func subtree(live []Category, c Category) []Category {
	out := []Category{c}
	for _, d := range live {
		if !d.Deleted && d.Tree == c.Tree && d.ID != c.ID && slices.Contains(d.Path, c.ID) {
			out = append(out, d)
		}
	}
	return out
}

// closeGap returns c's live siblings after it, each one position up.
func closeGap(live []Category, c Category) []Category {
	var out []Category
	for _, s := range children(live, c.Tree, c.ParentID) {
		if s.ID != c.ID && s.Position > c.Position {
			s = s.Clone()
			s.Position--
			out = append(out, s)
		}
	}
	return out
}
