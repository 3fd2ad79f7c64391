package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/trigger"
)

// triggerRepo stores triggers (TRG-1) in triggers, conditions and actions
// as jsonb, and the trigger set's version in trigger_sets.
//
// Every write first takes the service's trigger_sets row lock (making the
// row, with an empty version, if needed), so the positions a write computes
// cannot be raced by another write of the same service; then it checks and
// refuses with its error kind before writing anything else (the lock row
// may have been made, with an empty version), leaving the transaction
// usable. A write that changes something gives the set a new random
// version. A call that changes nothing (SetActive to the list the
// trigger is in, Reorder to the current order) writes nothing: neither
// UpdatedAt nor the version changes, as in the memory store.
type triggerRepo repos

// triggerColumns are the columns scanTriggers reads, in order.
const triggerColumns = `id, name, description, all_conditions, any_conditions, actions, active, position, created_at, updated_at`

// scanTriggers reads every row of rows and closes them.
func scanTriggers(rows *sql.Rows, what string) ([]trigger.Trigger, error) {
	defer rows.Close()
	var out []trigger.Trigger
	for rows.Next() {
		var t trigger.Trigger
		var all, anyOf, actions []byte
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, &all, &anyOf, &actions, &t.Active, &t.Position,
			&t.CreatedAt, &t.UpdatedAt); err != nil {
			return nil, mapErr(err, what)
		}
		var err error
		if t.All, err = decodeConditions(all); err != nil {
			return nil, fmt.Errorf("%s: conditions (all) of trigger %s: %w", what, t.ID, err)
		}
		if t.Any, err = decodeConditions(anyOf); err != nil {
			return nil, fmt.Errorf("%s: conditions (any) of trigger %s: %w", what, t.ID, err)
		}
		if err := json.Unmarshal(actions, &t.Actions); err != nil {
			return nil, fmt.Errorf("%s: actions of trigger %s: %w", what, t.ID, err)
		}
		if len(t.Actions) == 0 {
			t.Actions = nil
		}
		for i := range t.Actions {
			t.Actions[i].Value = canonicalValue(t.Actions[i].Value)
		}
		t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, what)
	}
	return out, nil
}

func decodeConditions(b []byte) ([]trigger.Condition, error) {
	var cs []trigger.Condition
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, nil
	}
	for i := range cs {
		cs[i].Value = canonicalValue(cs[i].Value)
	}
	return cs, nil
}

// canonicalValue undoes what a JSON round trip does to a condition's or
// action's value where it can: a list of strings comes back as []string
// (numbers already are float64, as written).
func canonicalValue(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return v
		}
		out[i] = s
	}
	return out
}

// triggerJSON returns the jsonb texts of t's conditions and actions; an
// empty list is [].
func triggerJSON(t trigger.Trigger) (all, anyOf, actions string, err error) {
	enc := func(v any, n int) (string, error) {
		if n == 0 {
			return "[]", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	if all, err = enc(t.All, len(t.All)); err == nil {
		if anyOf, err = enc(t.Any, len(t.Any)); err == nil {
			actions, err = enc(t.Actions, len(t.Actions))
		}
	}
	if err != nil {
		return "", "", "", fmt.Errorf("trigger %q: %w: %w", t.ID, trigger.ErrInvalid, err)
	}
	return all, anyOf, actions, nil
}

// query runs a statement returning triggerColumns.
func (r triggerRepo) query(ctx context.Context, what, q string, args ...any) ([]trigger.Trigger, error) {
	rows, err := r.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	return scanTriggers(rows, what)
}

// lock takes the service's trigger write lock until the transaction ends;
// the version stays. An unknown service is ErrNotFound.
func (r triggerRepo) lock(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `INSERT INTO trigger_sets (service_id, version) VALUES (?, '')
ON CONFLICT (service_id) DO UPDATE SET version = trigger_sets.version`, r.sid)
	return mapErr(err, "triggers of service "+r.sid)
}

// bump gives the trigger set a new version, never used before.
func (r triggerRepo) bump(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `UPDATE trigger_sets SET version = gen_random_uuid()::text WHERE service_id = ?`, r.sid)
	return mapErr(err, "triggers of service "+r.sid)
}

// place is where a trigger is: its list and its position there.
type place struct {
	Active   bool `bun:"active"`
	Position int  `bun:"position"`
}

// placeOf returns where trigger id is, or ErrNotFound.
func (r triggerRepo) placeOf(ctx context.Context, id string) (place, error) {
	var p []place
	if err := r.tx.NewRaw("SELECT active, position FROM triggers WHERE service_id = ? AND id = ?", r.sid, id).Scan(ctx, &p); err != nil {
		return place{}, mapErr(err, "trigger "+id)
	}
	if len(p) == 0 {
		return place{}, fmt.Errorf("trigger %q: %w", id, helpdesk.ErrNotFound)
	}
	return p[0], nil
}

// closeGap moves the triggers after position pos of a list up by one.
func (r triggerRepo) closeGap(ctx context.Context, active bool, pos int) error {
	_, err := r.tx.ExecContext(ctx, `UPDATE triggers SET position = position - 1
WHERE service_id = ? AND active = ? AND position > ?`, r.sid, active, pos)
	return mapErr(err, "triggers of service "+r.sid)
}

// createTrigger inserts the trigger at the end of its list; no row comes
// back when the id is taken.
const createTrigger = `INSERT INTO triggers (service_id, id, name, description, all_conditions, any_conditions, actions,
	active, position, created_at, updated_at)
SELECT ?0, ?1, ?2, ?3, ?4::jsonb, ?5::jsonb, ?6::jsonb, ?7,
	(SELECT count(*) FROM triggers WHERE service_id = ?0 AND active = ?7), ?8, ?9
ON CONFLICT (service_id, id) DO NOTHING
RETURNING position`

func (r triggerRepo) Create(ctx context.Context, t *trigger.Trigger) error {
	all, anyOf, actions, err := triggerJSON(*t)
	if err != nil {
		return err
	}
	if err := r.lock(ctx); err != nil {
		return err
	}
	var pos []int
	err = r.tx.NewRaw(createTrigger, r.sid, t.ID, t.Name, t.Description, all, anyOf, actions, t.Active,
		t.CreatedAt, t.UpdatedAt).Scan(ctx, &pos)
	if err != nil {
		return mapErr(err, "trigger "+t.ID)
	}
	if len(pos) == 0 {
		return fmt.Errorf("trigger %q exists: %w", t.ID, helpdesk.ErrConflict)
	}
	if err := r.bump(ctx); err != nil {
		return err
	}
	t.Position = pos[0]
	return nil
}

func (r triggerRepo) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	ts, err := r.query(ctx, "trigger "+id, `SELECT `+triggerColumns+` FROM triggers WHERE service_id = ? AND id = ?`, r.sid, id)
	if err != nil {
		return trigger.Trigger{}, err
	}
	if len(ts) == 0 {
		return trigger.Trigger{}, fmt.Errorf("trigger %q: %w", id, helpdesk.ErrNotFound)
	}
	return ts[0], nil
}

func (r triggerRepo) List(ctx context.Context) ([]trigger.Trigger, error) {
	return r.query(ctx, "triggers", `SELECT `+triggerColumns+` FROM triggers WHERE service_id = ?
ORDER BY active DESC, position`, r.sid)
}

func (r triggerRepo) Update(ctx context.Context, t trigger.Trigger) error {
	all, anyOf, actions, err := triggerJSON(t)
	if err != nil {
		return err
	}
	if err := r.lock(ctx); err != nil {
		return err
	}
	res, err := r.tx.ExecContext(ctx, `UPDATE triggers SET name = ?2, description = ?3,
	all_conditions = ?4::jsonb, any_conditions = ?5::jsonb, actions = ?6::jsonb, updated_at = ?7
WHERE service_id = ?0 AND id = ?1`, r.sid, t.ID, t.Name, t.Description, all, anyOf, actions, t.UpdatedAt)
	if err != nil {
		return mapErr(err, "trigger "+t.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("trigger %q: %w", t.ID, helpdesk.ErrNotFound)
	}
	return r.bump(ctx)
}

func (r triggerRepo) SetActive(ctx context.Context, id string, active bool, at time.Time) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	p, err := r.placeOf(ctx, id)
	if err != nil {
		return err
	}
	if p.Active == active {
		return nil // already in that list: it stays where it is
	}
	_, err = r.tx.ExecContext(ctx, `UPDATE triggers SET active = ?2, updated_at = ?3,
	position = (SELECT count(*) FROM triggers WHERE service_id = ?0 AND active = ?2)
WHERE service_id = ?0 AND id = ?1`, r.sid, id, active, at)
	if err != nil {
		return mapErr(err, "trigger "+id)
	}
	if err := r.closeGap(ctx, p.Active, p.Position); err != nil {
		return err
	}
	return r.bump(ctx)
}

func (r triggerRepo) Reorder(ctx context.Context, ids []string) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	var active []string
	if err := r.tx.NewRaw("SELECT id FROM triggers WHERE service_id = ? AND active ORDER BY position", r.sid).Scan(ctx, &active); err != nil {
		return mapErr(err, "active triggers")
	}
	if err := trigger.CheckOrder(active, ids); err != nil {
		return err
	}
	if slices.Equal(active, ids) {
		return nil
	}
	_, err := r.tx.ExecContext(ctx, `UPDATE triggers t SET position = o.ord - 1
FROM unnest(?1::text[]) WITH ORDINALITY AS o(id, ord)
WHERE t.service_id = ?0 AND t.id = o.id AND t.position <> o.ord - 1`, r.sid, pgdialect.Array(ids))
	if err != nil {
		return mapErr(err, "active triggers")
	}
	return r.bump(ctx)
}

func (r triggerRepo) Delete(ctx context.Context, id string) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	p, err := r.placeOf(ctx, id)
	if err != nil {
		return err
	}
	if p.Active {
		return fmt.Errorf("trigger %q: %w", id, trigger.ErrActive)
	}
	if _, err := r.tx.ExecContext(ctx, "DELETE FROM triggers WHERE service_id = ? AND id = ?", r.sid, id); err != nil {
		return mapErr(err, "trigger "+id)
	}
	if err := r.closeGap(ctx, false, p.Position); err != nil {
		return err
	}
	return r.bump(ctx)
}

// Touch gives a set that has a version a new one.
func (r triggerRepo) Touch(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `UPDATE trigger_sets SET version = gen_random_uuid()::text
WHERE service_id = ? AND version <> ''`, r.sid)
	return mapErr(err, "triggers of service "+r.sid)
}

// Version returns the set's version.
func (r triggerRepo) Version(ctx context.Context) (string, error) {
	var v string
	err := r.tx.NewRaw("SELECT coalesce((SELECT version FROM trigger_sets WHERE service_id = ?), '')", r.sid).Scan(ctx, &v)
	return v, mapErr(err, "trigger set version")
}
