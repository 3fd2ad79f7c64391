package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/trigger"
)

// triggerState is a tenant's triggers and the trigger set's version. The
// stored values are never changed in place: a write stores a new value and
// its undo step puts the old one back.
type triggerState struct {
	byID    map[string]*trigger.Trigger
	version string // changes on every write; "" never written
}

func newTriggerState() triggerState {
	return triggerState{byID: map[string]*trigger.Trigger{}}
}

// triggerRepo is trigger.Repository. Transactions of one service run one at
// a time (Store.Tx), so Lock has nothing to take. A write checks what the
// database's keys would (the id, one position per list) before it changes
// anything.
type triggerRepo struct{ tx *txn }

func (r triggerRepo) st() *triggerState { return &r.tx.t.trg }

// put stores a copy of t and records how to undo it.
func (r triggerRepo) put(t trigger.Trigger) {
	st := r.st()
	n := t.Clone()
	n.CreatedAt, n.UpdatedAt = utcMicro(n.CreatedAt), utcMicro(n.UpdatedAt)
	old, had := st.byID[t.ID]
	st.byID[t.ID] = &n
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

// place is a list position, the key that is unique besides the id.
type place struct {
	active bool
	pos    int
}

// checkPlaces returns ErrConflict when two triggers would share a place
// once ts are stored.
func (r triggerRepo) checkPlaces(ts []trigger.Trigger) error {
	writing := make(map[string]bool, len(ts))
	taken := make(map[place]bool, len(r.st().byID)+len(ts))
	for _, t := range ts {
		writing[t.ID] = true
	}
	for _, t := range r.st().byID {
		if !writing[t.ID] {
			taken[place{t.Active, t.Position}] = true
		}
	}
	for _, t := range ts {
		p := place{t.Active, t.Position}
		if taken[p] {
			list := "inactive"
			if t.Active {
				list = "active"
			}
			return errs.New(helpdesk.ErrConflict, "two triggers would be at position %d of the %s list", t.Position, list)
		}
		taken[p] = true
	}
	return nil
}

func (r triggerRepo) Lock(ctx context.Context) error { return r.write(ctx) }

func (r triggerRepo) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	if err := r.tx.check(ctx); err != nil {
		return trigger.Trigger{}, err
	}
	t, ok := r.st().byID[id]
	if !ok {
		return trigger.Trigger{}, errs.NotFound("trigger", id)
	}
	return t.Clone(), nil
}

func (r triggerRepo) List(ctx context.Context) ([]trigger.Trigger, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]trigger.Trigger, 0, len(r.st().byID))
	for _, t := range r.st().byID {
		out = append(out, t.Clone())
	}
	slices.SortFunc(out, func(a, b trigger.Trigger) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (r triggerRepo) Insert(ctx context.Context, t trigger.Trigger) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	if _, ok := r.st().byID[t.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "trigger %q exists", t.ID)
	}
	if err := r.checkPlaces([]trigger.Trigger{t}); err != nil {
		return err
	}
	r.put(t)
	r.bump()
	return nil
}

func (r triggerRepo) Save(ctx context.Context, ts ...trigger.Trigger) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	if len(ts) == 0 {
		return nil
	}
	for _, t := range ts {
		if _, ok := r.st().byID[t.ID]; !ok {
			return errs.NotFound("trigger", t.ID)
		}
	}
	if err := r.checkPlaces(ts); err != nil {
		return err
	}
	for _, t := range ts {
		r.put(t)
	}
	r.bump()
	return nil
}

func (r triggerRepo) Delete(ctx context.Context, id string) error {
	if err := r.write(ctx); err != nil {
		return err
	}
	st := r.st()
	old, ok := st.byID[id]
	if !ok {
		return errs.NotFound("trigger", id)
	}
	delete(st.byID, id)
	r.tx.onUndo(func() { st.byID[id] = old })
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
