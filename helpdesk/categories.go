package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// Create adds a category to one of the service's trees (CAT-1..4;
// admin), after the parent's other children (a root when n.ParentID is
// empty; with a parent, n.Tree may be left empty). The name needs the
// service's default language and only the service's languages
// (SVC-2, CAT-4). Bad input returns a *ValidationError naming every bad
// field (an unknown or deleted parent is a problem on "parent_id"); a sixth
// level a *category.DepthError; a name used on the level of the tree a
// *category.NameClashError naming each clash (it matches ErrConflict).
// Nothing is written on error.
func (h Categories) Create(ctx context.Context, n category.New) (category.Category, error) {
	var out category.Category
	err := h.s.run(ctx, "Categories.Create", permSettings, func(o *op) error {
		cats := o.r.Categories()
		if err := cats.Lock(ctx); err != nil { // the checks below hold until the write
			return err
		}
		var c errs.Collector
		if n.ParentID != "" {
			p, err := cats.Get(ctx, n.ParentID)
			switch {
			case errors.Is(err, ErrNotFound) || err == nil && p.Deleted:
				c.Add("parent_id", "no category %q in this service", n.ParentID)
			case err != nil:
				return err
			case n.Tree == "":
				n.Tree = p.Tree
			case n.Tree != p.Tree:
				c.Add("parent_id", "category %q is in the %s tree, not the %s tree", n.ParentID, p.Tree, n.Tree)
			}
		}
		if !n.Tree.Valid() && !c.Has("parent_id") {
			c.Add("tree", "unknown tree %q; want %q or %q", n.Tree, category.Intake, category.Processing)
		}
		if n.Disabled && n.Tree == category.Processing {
			c.Add("disabled", "only intake categories can be disabled (CAT-6)")
		}
		name, err := category.CheckName("name", n.Name, o.svc.Languages, o.svc.DefaultLanguage)
		c.Merge(err)
		if err := c.Err(); err != nil {
			return err
		}
		live, err := cats.Tree(ctx, n.Tree)
		if err != nil {
			return err
		}
		out, err = category.PlanCreate(live, category.Category{ID: h.s.desk.newID(), Tree: n.Tree, ParentID: n.ParentID,
			Name: name, Enabled: !n.Disabled, CreatedAt: o.now, UpdatedAt: o.now})
		if err != nil {
			return err
		}
		return cats.Insert(ctx, out)
	})
	if err != nil {
		return category.Category{}, err
	}
	return out, nil
}

// Update renames a category or flips its intake toggle (CAT-5,
// CAT-6; admin). The id never changes; tickets keep it. A name used on the
// category's level returns a *category.NameClashError; a deleted or
// unknown category ErrNotFound.
func (h Categories) Update(ctx context.Context, id string, u category.Update) (category.Category, error) {
	if err := checkID("category", id); err != nil {
		return category.Category{}, err
	}
	var out category.Category
	err := h.s.run(ctx, "Categories.Update", permSettings, func(o *op) error {
		cur, err := lockCategory(ctx, o, id)
		if err != nil {
			return err
		}
		if u.Name == nil && u.Enabled == nil {
			out = cur // nothing to change
			return nil
		}
		var c errs.Collector
		if u.Name != nil {
			cur.Name, err = category.CheckName("name", u.Name, o.svc.Languages, o.svc.DefaultLanguage)
			c.Merge(err)
		}
		if u.Enabled != nil {
			if cur.Tree != category.Intake {
				c.Add("enabled", "only intake categories have the enabled toggle (CAT-6)")
			}
			cur.Enabled = *u.Enabled
		}
		if err := c.Err(); err != nil {
			return err
		}
		if u.Name != nil {
			live, err := o.r.Categories().Tree(ctx, cur.Tree)
			if err != nil {
				return err
			}
			if err := category.CheckRename(live, cur); err != nil {
				return err
			}
		}
		cur.UpdatedAt = o.now
		if err := o.r.Categories().Save(ctx, cur); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return category.Category{}, err
	}
	return out, nil
}

// Move moves a category, with everything below it, to the end of
// parentID's children (to the roots when parentID is empty) in the same
// tree (admin); reorder afterwards to place it elsewhere. Moving under the
// current parent changes nothing. An unknown or deleted parent, or one in
// the other tree, is a problem on "parent_id"; a parent that is the
// category or below it a *category.CycleError; a subtree that would reach
// below level 5 a *category.DepthError; a name used on a new level a
// *category.NameClashError. Nothing is written on error.
func (h Categories) Move(ctx context.Context, id, parentID string) (category.Category, error) {
	var out category.Category
	err := h.s.run(ctx, "Categories.Move", permSettings, func(o *op) error {
		cur, err := lockCategory(ctx, o, id)
		if err != nil {
			return err
		}
		if parentID != "" {
			p, err := o.r.Categories().Get(ctx, parentID)
			switch {
			case errors.Is(err, ErrNotFound) || err == nil && p.Deleted:
				return &ValidationError{Problems: []Problem{{Field: "parent_id", Reason: fmt.Sprintf("no category %q in this service", parentID)}}}
			case err != nil:
				return err
			case p.Tree != cur.Tree:
				return &ValidationError{Problems: []Problem{{Field: "parent_id",
					Reason: fmt.Sprintf("category %q is in the %s tree, not the %s tree", parentID, p.Tree, cur.Tree)}}}
			}
		}
		live, err := o.r.Categories().Tree(ctx, cur.Tree)
		if err != nil {
			return err
		}
		moved, rows, err := category.PlanMove(live, id, parentID, o.now)
		if err != nil {
			return err
		}
		if err := saveCategories(ctx, o, rows); err != nil {
			return err
		}
		out = moved
		return nil
	})
	return out, err
}

// Reorder sets the order of parentID's children (of the roots of
// tree when parentID is empty; admin): ids must list each of them exactly
// once, else ErrInvalid. An unknown parent is ErrNotFound.
func (h Categories) Reorder(ctx context.Context, tree category.Tree, parentID string, ids []string) error {
	return h.s.run(ctx, "Categories.Reorder", permSettings, func(o *op) error {
		if err := checkTree(tree); err != nil {
			return err
		}
		if err := o.r.Categories().Lock(ctx); err != nil {
			return err
		}
		live, err := o.r.Categories().Tree(ctx, tree)
		if err != nil {
			return err
		}
		rows, err := category.PlanReorder(live, tree, parentID, ids)
		if err != nil {
			return err
		}
		return saveCategories(ctx, o, rows)
	})
}

// Delete deletes a category and everything below it (CAT-5; admin)
// and returns the deleted ids, id first. They leave the tree and cannot be
// chosen any more, and their names are free again; tickets keep the ids
// they hold, and Get and Path still return the deleted
// categories with the names they had, for history. Ids are never reused
// (CAT-7).
func (h Categories) Delete(ctx context.Context, id string) ([]string, error) {
	if err := checkID("category", id); err != nil {
		return nil, err
	}
	var out []string
	err := h.s.run(ctx, "Categories.Delete", permSettings, func(o *op) error {
		cur, err := lockCategory(ctx, o, id)
		if err != nil {
			return err
		}
		live, err := o.r.Categories().Tree(ctx, cur.Tree)
		if err != nil {
			return err
		}
		ids, rows, err := category.PlanDelete(live, id, o.now)
		if err != nil {
			return err
		}
		if err := saveCategories(ctx, o, rows); err != nil {
			return err
		}
		out = ids
		for _, d := range out { // reply templates no longer offered under them (TPL-2)
			if err := unlinkCategory(ctx, o, d); err != nil {
				return err
			}
		}
		return nil
	})
	return result(out, err)
}

// Tree returns the live categories of one tree in display order:
// depth first, siblings by position (see category.Order). Filter it with
// category.HelpCenter for what customers may pick.
func (h Categories) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	var out []category.Category
	err := h.s.run(ctx, "Categories.Tree", permRead, func(o *op) (err error) {
		if err := checkTree(tree); err != nil {
			return err
		}
		live, err := o.r.Categories().Tree(ctx, tree)
		if err != nil {
			return err
		}
		out = category.Order(live)
		return nil
	})
	return out, err
}

// Get returns one category, deleted or not (Deleted tells): a ticket
// or a history row may name a deleted one.
func (h Categories) Get(ctx context.Context, id string) (category.Category, error) {
	if err := checkID("category", id); err != nil {
		return category.Category{}, err
	}
	var out category.Category
	err := h.s.run(ctx, "Categories.Get", permRead, func(o *op) (err error) {
		out, err = o.r.Categories().Get(ctx, id)
		return err
	})
	return out, err
}

// Path returns a category and its ancestors, root first, deleted
// ones included: what a ticket or its history shows for a category id
// ("결제 > 환불", see category.Names), with the names the categories had
// when they were deleted (CAT-5).
func (h Categories) Path(ctx context.Context, id string) ([]category.Category, error) {
	if err := checkID("category", id); err != nil {
		return nil, err
	}
	var out []category.Category
	err := h.s.run(ctx, "Categories.Path", permRead, func(o *op) (err error) {
		out, err = o.r.Categories().Path(ctx, id)
		return err
	})
	return out, err
}

// checkCategories validates t's intake and processing categories (CAT-1,
// CAT-5, CAT-6), adding every problem to c on the field that names it: the
// intake category must be a live category of the intake tree and the
// processing category one of the processing tree; in the help center
// (channel help_center) the intake category and all its ancestors must be
// enabled.
//
// Only new references are checked. Tickets keep the id of a category
// deleted (or disabled) after they chose it (CAT-5), so on an update (t is
// stored: t.Number is set) the stored ticket is read and a value it already
// holds passes, as the assignee and group checks skip unchanged values. The
// read happens only when the ticket has a category, and then replaces the
// category reads of unchanged values. A follow-up (t.FollowUpOf set at
// creation) inherits its categories from the closed ticket and is not
// checked either.
func (s *Session) checkCategories(ctx context.Context, o *op, t *ticket.Ticket, c *errs.Collector) error {
	if t.IntakeCategoryID == "" && t.ProcessingCategoryID == "" || t.Number == 0 && t.FollowUpOf != "" {
		return nil
	}
	var before ticket.Ticket
	if o.before != nil { // an update: the stored ticket is at hand
		before = *o.before
	}
	// The help center offers only enabled intake categories (CAT-6): that
	// rule binds a customer's new help-center ticket, not agents working in
	// ticket management.
	helpCenter := t.Number == 0 && t.Channel == ticket.ChannelHelpCenter && s.actor.Kind == ticket.ActorSystem
	for _, f := range []struct {
		field, id, before string
		tree              category.Tree
	}{
		{"intake_category_id", t.IntakeCategoryID, before.IntakeCategoryID, category.Intake},
		{"processing_category_id", t.ProcessingCategoryID, before.ProcessingCategoryID, category.Processing},
	} {
		if f.id == "" || f.id == f.before {
			continue
		}
		problem, err := categoryProblem(ctx, o, f.id, f.tree, f.tree == category.Intake && helpCenter)
		if err != nil {
			return err
		}
		if problem != "" {
			c.Add(f.field, "%s", problem)
		}
	}
	return nil
}

// categoryProblem says what keeps category id from being chosen for a
// ticket in tree ("" when nothing does); helpCenter also requires it and
// its ancestors to be enabled (CAT-6).
func categoryProblem(ctx context.Context, o *op, id string, tree category.Tree, helpCenter bool) (string, error) {
	var path []category.Category
	if helpCenter {
		p, err := o.r.Categories().Path(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
		path = p
	} else if cat, err := o.r.Categories().Get(ctx, id); err == nil {
		path = []category.Category{cat}
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	if len(path) == 0 {
		return fmt.Sprintf("no %s category %q in this service", tree, id), nil
	}
	cat := path[len(path)-1]
	for _, p := range path { // the category itself, wherever a store put it
		if p.ID == id {
			cat = p
		}
	}
	switch {
	case cat.Tree != tree:
		return fmt.Sprintf("category %q is in the %s tree, not the %s tree", id, cat.Tree, tree), nil
	case cat.Deleted:
		return fmt.Sprintf("%s category %q was deleted (CAT-5)", tree, id), nil
	}
	for _, a := range path {
		if helpCenter && !a.Enabled {
			if a.ID == id {
				return fmt.Sprintf("intake category %q is disabled in the help center (CAT-6)", id), nil
			}
			return fmt.Sprintf("intake category %q is under %q, which is disabled in the help center (CAT-6)", id, a.ID), nil
		}
	}
	return "", nil
}

// lockCategory takes the service's category lock, so that what the caller
// reads and checks next holds until it writes, and returns the live
// category id (ErrNotFound when it is unknown or deleted).
func lockCategory(ctx context.Context, o *op, id string) (category.Category, error) {
	if err := o.r.Categories().Lock(ctx); err != nil {
		return category.Category{}, err
	}
	c, err := o.r.Categories().Get(ctx, id)
	if err == nil && c.Deleted {
		err = errs.NotFound("category", id)
	}
	return c, err
}

// saveCategories stores the rows a category plan returned, if any.
func saveCategories(ctx context.Context, o *op, rows []category.Category) error {
	if len(rows) == 0 {
		return nil
	}
	return o.r.Categories().Save(ctx, rows...)
}

// checkTree refuses an unknown tree.
func checkTree(tree category.Tree) error {
	if tree.Valid() {
		return nil
	}
	return &ValidationError{Problems: []Problem{{Field: "tree",
		Reason: fmt.Sprintf("unknown tree %q; want %q or %q", tree, category.Intake, category.Processing)}}}
}
