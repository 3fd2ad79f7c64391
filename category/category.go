package category

import (
	"context"
	"slices"
	"time"

	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// Tree names one of a service's two independent category trees (CAT-1).
type Tree string

// The trees.
const (
	// Intake types: chosen by the customer in the help center or by the
	// consultant who escalates a consultation to a ticket.
	Intake Tree = "intake"
	// Processing types: chosen by the agent who handles the ticket.
	Processing Tree = "processing"
)

// Trees lists both trees.
var Trees = []Tree{Intake, Processing}

// Valid reports whether t is a known tree.
func (t Tree) Valid() bool { return t == Intake || t == Processing }

// MaxDepth is the number of levels a tree may have (CAT-2): roots are on
// level 1, their children on level 2, and nothing goes below level 5.
const MaxDepth = 5

// Category is one node of a tree.
type Category struct {
	// ID is stable, copyable and never reused, not even after deletion
	// (CAT-7).
	ID   string `json:"id"`
	Tree Tree   `json:"tree"`
	// ParentID is the parent's id; empty for a root.
	ParentID string `json:"parent_id,omitempty"`
	// Path holds the ids of the category's ancestors, root first; empty
	// for a root. Its last element is ParentID. Stores keep it, so
	// IsUnder and Level need no walk up the tree.
	Path []string `json:"path,omitempty"`
	// Name is the name per help-center language (CAT-4); it falls back to
	// the service's default language (SVC-2).
	Name i18n.Text `json:"name"`
	// Position orders the category among its siblings, 0 first; siblings
	// have positions 0..n-1.
	Position int `json:"position"`
	// Enabled is the intake toggle (CAT-6): a disabled intake category is
	// usable in ticket management but not in the help center. Processing
	// categories are always enabled.
	Enabled bool `json:"enabled"`
	// Deleted marks a deleted category (CAT-5): it is gone from the tree
	// and cannot be chosen, and its name is kept for the tickets and
	// history rows that still name it.
	Deleted   bool      `json:"deleted,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Level is the category's level in its tree: 1 for a root, at most
// MaxDepth.
func (c Category) Level() int { return len(c.Path) + 1 }

// IsUnder reports whether c is ancestor or lies below it ("is or is
// under", used by trigger conditions). It scans c.Path: O(depth), no
// store access.
func (c Category) IsUnder(ancestor string) bool {
	return c.ID == ancestor || slices.Contains(c.Path, ancestor)
}

// Clone returns a copy of c that shares no memory with it. An empty path or
// name is nil, as every store returns it.
func (c Category) Clone() Category {
	if len(c.Name) == 0 {
		c.Name = nil
	} else {
		c.Name = c.Name.Clone()
	}
	if len(c.Path) == 0 {
		c.Path = nil
	} else {
		c.Path = slices.Clone(c.Path)
	}
	return c
}

// New is what a caller supplies to create a category.
type New struct {
	// Tree is the category's tree; it may be left empty when ParentID is
	// given (the parent's tree is taken).
	Tree Tree
	// ParentID is the parent; empty creates a root. The category goes
	// after the parent's other children.
	ParentID string
	// Name is the name per language; the service's default language is
	// required, every language must be one of the service's.
	Name i18n.Text
	// Disabled creates an intake category switched off for the help
	// center (CAT-6); processing categories cannot be disabled.
	Disabled bool
}

// Update renames a category or flips its intake toggle. Nil fields stay as
// they are.
type Update struct {
	// Name replaces the whole per-language name.
	Name i18n.Text
	// Enabled sets the intake toggle (CAT-6); intake categories only.
	Enabled *bool
}

// Repository stores one service's categories (SVC-1), deleted ones
// included: a category is never removed, so its id is never reused (CAT-7)
// and its name stays readable. It persists, reads and locks; it makes no
// rule checks (tree, depth, cycles, names, positions: see PlanCreate,
// PlanMove, PlanReorder, PlanDelete and CheckRename) and stores the rows it
// is given as they are. Besides the errors named below it returns wrapped
// driver errors.
type Repository interface {
	// Lock serialises the service's category writes for the rest of the
	// transaction; read-check-write workflows take it before they read.
	Lock(ctx context.Context) error
	// Get returns the category with id, deleted or not, or ErrNotFound.
	Get(ctx context.Context, id string) (Category, error)
	// Path returns the category with id and the categories its stored
	// Path names, root first, deleted or not (history shows the names they
	// had), in one read; ErrNotFound if the category is unknown.
	Path(ctx context.Context, id string) ([]Category, error)
	// Tree returns the live (not deleted) categories of tree, with their
	// positions, in no particular order (Order puts them in display
	// order); none for a tree the store does not hold.
	Tree(ctx context.Context, tree Tree) ([]Category, error)
	// All returns every category of the service, of every tree, deleted
	// ones included, in no particular order (a copy of the service, STO-2).
	All(ctx context.Context) ([]Category, error)
	// Insert stores a new category as given, every field included.
	// ErrConflict when c.ID is taken (by a live or a deleted category),
	// ErrNotFound when the service is unknown.
	Insert(ctx context.Context, c Category) error
	// Save stores ParentID, Path, Position, Name, Enabled, Deleted and
	// UpdatedAt of stored categories as given (ID, Tree and CreatedAt stay
	// as stored). ErrNotFound when one of them is not stored; the others
	// may then be written, and the transaction is to be rolled back.
	Save(ctx context.Context, cs ...Category) error
}
