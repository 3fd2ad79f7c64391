package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/trigger"
)

// triggerState is a tenant's triggers (TRG-1) and the trigger set's
// version. The stored values are never changed in place: a write stores a
// new value and its undo step puts the old one back.
type triggerState struct {
	byID    map[string]*trigger.Trigger
	version string // changes on every write; "" never written
}

func newTriggerState() triggerState {
	return triggerState{byID: map[string]*trigger.Trigger{}}
}

// triggerRepo is trigger.Repository. Transactions of one service run one at
// a time (Store.Tx), so its writes need no lock of their own.
//
// A call that changes nothing (SetActive to the list the trigger is in,
// Reorder to the current order) writes nothing: neither UpdatedAt nor the
// version changes. Every other accepted write gives the set a new version.
type triggerRepo struct{ tx *txn }

func (r triggerRepo) st() *triggerState { return &r.tx.t.trg }

// put stores t (which the store owns from now on) and records how to undo
// it.
func (r triggerRepo) put(t trigger.Trigger) {
	st := r.st()
	old, had := st.byID[t.ID]
	st.byID[t.ID] = &t
	r.tx.onUndo(func() {
		if had {
			st.byID[t.ID] = old
		} else {
			delete(st.byID, t.ID)
		}
	})
}

// bump gives the trigger set a new version, never used before.
func (r triggerRepo) bump() {
	st := r.st()
	old := st.version
	st.version = uuid.NewString()
	r.tx.onUndo(func() { st.version = old })
}

// write starts a write: the transaction must be live and its service exist.
func (r triggerRepo) write(ctx context.Context) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	return r.tx.exists()
}

func (r triggerRepo) find(id string) (*trigger.Trigger, error) {
	t, ok := r.st().byID[id]
	if !ok {
		return nil, fmt.Errorf("trigger %q: %w", id, helpdesk.ErrNotFound)
	}
	return t, nil
}

// list returns the stored triggers of one list by position, not cloned.
func (r triggerRepo) list(active bool) []*trigger.Trigger {
	var out []*trigger.Trigger
	for _, t := range r.st().byID {
		if t.Active == active {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *trigger.Trigger) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// closeGap moves the triggers after position pos of a list up by one.
func (r triggerRepo) closeGap(active bool, pos int) {
	for _, t := range r.list(active) {
		if t.Position > pos {
			n := *t
			n.Position--
			r.put(n)
		}
	}
}

func (r triggerRepo) Create(ctx context.Context, t *trigger.Trigger) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	if _, ok := r.st().byID[t.ID]; ok {
		return fmt.Errorf("trigger %q exists: %w", t.ID, helpdesk.ErrConflict)
	}
	n := t.Clone()
	n.Position = len(r.list(n.Active))
	n.CreatedAt, n.UpdatedAt = utcMicro(n.CreatedAt), utcMicro(n.UpdatedAt)
	r.put(n)
	r.bump()
	t.Position = n.Position
	return nil
}

func (r triggerRepo) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	if err := r.tx.check(ctx); err != nil {
		return trigger.Trigger{}, err
	}
	t, err := r.find(id)
	if err != nil {
		return trigger.Trigger{}, err
	}
	return t.Clone(), nil
}

func (r triggerRepo) List(ctx context.Context) ([]trigger.Trigger, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	rows := append(r.list(true), r.list(false)...)
	out := make([]trigger.Trigger, len(rows))
	for i, t := range rows {
		out[i] = t.Clone()
	}
	return out, nil
}

func (r triggerRepo) Update(ctx context.Context, t trigger.Trigger) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	old, err := r.find(t.ID)
	if err != nil {
		return err
	}
	c := t.Clone()
	n := *old
	n.Name, n.Description, n.All, n.Any, n.Actions = c.Name, c.Description, c.All, c.Any, c.Actions
	n.UpdatedAt = utcMicro(c.UpdatedAt)
	r.put(n)
	r.bump()
	return nil
}

func (r triggerRepo) SetActive(ctx context.Context, id string, active bool, at time.Time) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	old, err := r.find(id)
	if err != nil {
		return err
	}
	if old.Active == active {
		return nil // already in that list: it stays where it is
	}
	from, pos := old.Active, old.Position
	n := *old
	n.Active, n.Position, n.UpdatedAt = active, len(r.list(active)), utcMicro(at)
	r.put(n)
	r.closeGap(from, pos)
	r.bump()
	return nil
}

func (r triggerRepo) Reorder(ctx context.Context, ids []string) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	active := r.list(true)
	activeIDs := make([]string, len(active))
	for i, t := range active {
		activeIDs[i] = t.ID
	}
	if err := trigger.CheckOrder(activeIDs, ids); err != nil {
		return err
	}
	changed := false
	for i, id := range ids {
		if t := r.st().byID[id]; t.Position != i {
			n := *t
			n.Position = i
			r.put(n)
			changed = true
		}
	}
	if changed {
		r.bump()
	}
	return nil
}

func (r triggerRepo) Delete(ctx context.Context, id string) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	old, err := r.find(id)
	if err != nil {
		return err
	}
	if old.Active {
		return fmt.Errorf("trigger %q: %w", id, trigger.ErrActive)
	}
	st := r.st()
	delete(st.byID, id)
	r.tx.onUndo(func() { st.byID[id] = old })
	r.closeGap(false, old.Position)
	r.bump()
	return nil
}

// Touch gives a set that has a version a new one.
func (r triggerRepo) Touch(ctx context.Context) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	if r.st().version != "" {
		r.bump()
	}
	return nil
}

// Version returns the set's version.
func (r triggerRepo) Version(ctx context.Context) (string, error) {
	if err := r.tx.check(ctx); err != nil {
		return "", err
	}
	return r.st().version, nil
}
