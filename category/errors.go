package category

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/internal/errs"
)

// The error kinds a Repository and the plan functions return besides the
// typed errors below: match them with errors.Is; they are the helpdesk
// ones.
var (
	// ErrNotFound: no such (live) category in the service
	// (helpdesk.ErrNotFound).
	ErrNotFound = errs.ErrNotFound
	// ErrConflict: the id is taken (Repository.Insert), or a name clashes
	// (NameClashError) (helpdesk.ErrConflict).
	ErrConflict = errs.ErrConflict
	// ErrInvalid: bad input, such as a reorder that does not list every
	// sibling once (helpdesk.ErrInvalid).
	ErrInvalid = errs.ErrInvalid
)

// DepthError refuses a category below MaxDepth (CAT-2): a sixth level, or
// a move that would take part of a subtree there. It matches ErrInvalid.
type DepthError struct {
	// ID is the category that would be too deep: the new one, or the
	// deepest of a moved subtree.
	ID string
	// Level is the level it would have.
	Level int
}

// Error implements error.
func (e *DepthError) Error() string {
	return fmt.Sprintf("invalid: category %s would be on level %d; a tree has at most %d levels (CAT-2)", e.ID, e.Level, MaxDepth)
}

// Is reports whether target is ErrInvalid.
func (e *DepthError) Is(target error) bool { return target == errs.ErrInvalid }

// CycleError refuses moving a category under itself or one of its
// descendants. It matches ErrInvalid.
type CycleError struct {
	ID       string // the category being moved
	ParentID string // the refused new parent
}

// Error implements error.
func (e *CycleError) Error() string {
	if e.ID == e.ParentID {
		return fmt.Sprintf("invalid: category %s cannot be moved under itself", e.ID)
	}
	return fmt.Sprintf("invalid: category %s cannot be moved under %s, which is below it", e.ID, e.ParentID)
}

// Is reports whether target is ErrInvalid.
func (e *CycleError) Is(target error) bool { return target == errs.ErrInvalid }

// Clash is one name already used on a level (CAT-3).
type Clash struct {
	Tree  Tree
	Level int
	// Lang is the language whose names clash.
	Lang string
	// ID is the category being written (created, renamed or moved) and
	// Name its name in Lang.
	ID   string
	Name string
	// ExistingID is the category that has the name, and ExistingName its
	// name in Lang as stored (it may differ in case or width: NameKey).
	ExistingID   string
	ExistingName string
}

// NameClashError refuses names already used on their level of their tree
// (CAT-3), listing every clash. It matches ErrConflict.
type NameClashError struct {
	Clashes []Clash
}

// NewClashError returns a *NameClashError with the clashes in a stable
// order (level, category, language, existing category), or nil when there
// are none.
func NewClashError(cs []Clash) error {
	if len(cs) == 0 {
		return nil
	}
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b Clash) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Lang, b.Lang),
			cmp.Compare(a.ExistingID, b.ExistingID))
	})
	return &NameClashError{Clashes: cs}
}

// Error implements error.
func (e *NameClashError) Error() string {
	var b strings.Builder
	b.WriteString("conflict: category name clash (CAT-3): ")
	for i, c := range e.Clashes {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "the %s name %q of category %s is used by category %s (%q) on level %d of the %s tree",
			c.Lang, c.Name, c.ID, c.ExistingID, c.ExistingName, c.Level, c.Tree)
	}
	return b.String()
}

// Is reports whether target is ErrConflict.
func (e *NameClashError) Is(target error) bool { return target == errs.ErrConflict }
