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

// Repository stores one service's categories (SVC-1). Every write checks
// the tree rules itself and writes nothing when it refuses; writes to one
// service's categories are serialised, so two concurrent moves cannot make
// a cycle nor two creates share a name.
type Repository interface {
	// Lock serialises the service's category writes for the rest of the
	// transaction; read-modify-write workflows take it before they read.
	Lock(ctx context.Context) error
	// Create stores c as the last child of c.ParentID in c.Tree (a root
	// when ParentID is empty) and sets c.Path and c.Position; Name,
	// Enabled and the timestamps are stored as given. It returns
	// ErrConflict when c.ID is taken (deleted categories keep theirs:
	// ids are never reused), ErrNotFound when the parent is unknown,
	// deleted or in the other tree, ErrInvalid for an unknown tree,
	// *DepthError below MaxDepth (CAT-2) and *NameClashError when a name
	// is used on the level (CAT-3).
	Create(ctx context.Context, c *Category) error
	// Get returns the category with id, deleted or not, or ErrNotFound.
	Get(ctx context.Context, id string) (Category, error)
	// Path returns the category with id and its ancestors, root first,
	// deleted or not (history shows the names they had); ErrNotFound if
	// the category is unknown.
	Path(ctx context.Context, id string) ([]Category, error)
	// Tree returns the live categories of tree in display order (see
	// Order); ErrInvalid for an unknown tree.
	Tree(ctx context.Context, tree Tree) ([]Category, error)
	// Update stores c.Name, c.Enabled and c.UpdatedAt of a live category
	// and refreshes c with the stored category. ErrNotFound if it is
	// unknown or deleted, *NameClashError when a name is used by another
	// category on its level.
	Update(ctx context.Context, c *Category) error
	// Move makes category id the last child of parentID (a root when
	// empty) in its own tree, its subtree with it, and returns it as
	// moved; UpdatedAt of the moved category becomes at. Moving under
	// the current parent changes nothing. ErrNotFound when the category
	// or the parent is unknown, deleted or (parent) in the other tree;
	// *CycleError when the parent is the category or below it;
	// *DepthError when a category of the subtree would go below
	// MaxDepth; *NameClashError when a name of the subtree is used on
	// its new level. The old siblings close the gap.
	Move(ctx context.Context, id, parentID string, at time.Time) (Category, error)
	// Reorder sets the order of the children of parentID (the roots when
	// empty) in tree: ids must name every live child exactly once, else
	// ErrInvalid. ErrNotFound when the parent is unknown, deleted or in
	// the other tree.
	Reorder(ctx context.Context, tree Tree, parentID string, ids []string) error
	// Delete deletes category id and every live category below it
	// (CAT-5): they leave the tree and free their names, and keep their
	// ids, names and paths for Get and Path. Their UpdatedAt becomes at,
	// and the siblings close the gap. It returns the deleted ids, id
	// first, then the others by level, position and id. ErrNotFound when
	// id is unknown or already deleted.
	Delete(ctx context.Context, id string, at time.Time) ([]string, error)
}
