package sqlite

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/rowconv"
	"github.com/deskkit/deskkit/trigger"
)

// triggerRepo stores triggers in triggers, conditions and actions as
// JSON, and the trigger set's version in trigger_sets. Every write gives
// the set a new random version. The constraints (the id; one position per
// list) are the only checks.
type triggerRepo repos

// triggerRow is a row of triggers. Empty condition and action lists are
// stored as [] and read back as nil.
type triggerRow struct {
	bun.BaseModel `bun:"table:triggers"`

	ServiceID   string              `bun:"service_id,pk"`
	ID          string              `bun:"id,pk"`
	Name        string              `bun:"name"`
	Description string              `bun:"description"`
	All         []trigger.Condition `bun:"all_conditions,type:json"`
	Any         []trigger.Condition `bun:"any_conditions,type:json"`
	Actions     []trigger.Action    `bun:"actions,type:json"`
	Active      bool                `bun:"active"`
	Position    int                 `bun:"position"`
	CreatedAt   time.Time           `bun:"created_at"`
	UpdatedAt   time.Time           `bun:"updated_at"`
}

// triggerSetRow is a row of trigger_sets.
type triggerSetRow struct {
	bun.BaseModel `bun:"table:trigger_sets"`

	ServiceID string `bun:"service_id,pk"`
	Version   string `bun:"version"`
}

func (r triggerRepo) row(t trigger.Trigger) triggerRow {
	orEmpty := func(cs []trigger.Condition) []trigger.Condition {
		if cs == nil {
			return []trigger.Condition{}
		}
		return cs
	}
	actions := t.Actions
	if actions == nil {
		actions = []trigger.Action{}
	}
	return triggerRow{ServiceID: r.sid, ID: t.ID, Name: t.Name, Description: t.Description,
		All: orEmpty(t.All), Any: orEmpty(t.Any), Actions: actions,
		Active: t.Active, Position: t.Position, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (row *triggerRow) trigger() trigger.Trigger {
	t := trigger.Trigger{ID: row.ID, Name: row.Name, Description: row.Description,
		All: rowconv.Conditions(row.All), Any: rowconv.Conditions(row.Any), Actions: rowconv.Actions(row.Actions),
		Active: row.Active, Position: row.Position, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	return t
}

// bump gives the trigger set a new version, never used before, making its
// row if needed.
func (r triggerRepo) bump(ctx context.Context) error {
	_, err := r.db.NewInsert().Model(&triggerSetRow{ServiceID: r.sid, Version: uuid.NewString()}).
		On("CONFLICT (service_id) DO UPDATE").Set("version = EXCLUDED.version").Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

// Lock makes the transaction the writer and the service's trigger_sets
// row, if needed; an unknown service fails its foreign key (ErrNotFound).
func (r triggerRepo) Lock(ctx context.Context) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	_, err := r.db.NewInsert().Model(&triggerSetRow{ServiceID: r.sid}).On("CONFLICT (service_id) DO NOTHING").Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

func (r triggerRepo) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	var row triggerRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return trigger.Trigger{}, mapErr(err, name("trigger", id))
	}
	return row.trigger(), nil
}

func (r triggerRepo) List(ctx context.Context) ([]trigger.Trigger, error) {
	var rows []triggerRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("active DESC, position").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "triggers")
	}
	out := make([]trigger.Trigger, len(rows))
	for i := range rows {
		out[i] = rows[i].trigger()
	}
	return out, nil
}

// Insert writes nothing when the id is taken; a taken position fails the
// unique index.
func (r triggerRepo) Insert(ctx context.Context, t trigger.Trigger) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := r.row(t)
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("trigger", t.ID), positionKey(row), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "trigger %q exists", t.ID)
	}
	return r.bump(ctx)
}

// positionKey words a taken position as the memory store does.
func positionKey(row triggerRow) key {
	return key{"triggers.service_id, triggers.active, triggers.position", func() error {
		list := "inactive"
		if row.Active {
			list = "active"
		}
		return errs.New(helpdesk.ErrConflict, "two triggers would be at position %d of the %s list", row.Position, list)
	}}
}

// Save updates the rows. SQLite checks the position index row by row, so
// the rows saved first move to positions no list uses (below 0), then
// take their own: positions may be swapped or shifted.
func (r triggerRepo) Save(ctx context.Context, ts ...trigger.Trigger) error {
	if len(ts) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	for i, t := range ts {
		res, err := r.db.NewUpdate().Model((*triggerRow)(nil)).Set("position = ?", -1-i).
			Where("service_id = ? AND id = ?", r.sid, t.ID).Exec(ctx)
		if err != nil {
			return mapErr(err, "triggers")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("trigger", t.ID)
		}
	}
	for _, t := range ts {
		row := r.row(t)
		if _, err := r.db.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
			return mapErr(err, "triggers", positionKey(row))
		}
	}
	return r.bump(ctx)
}

func (r triggerRepo) Delete(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*triggerRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, name("trigger", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("trigger", id)
	}
	return r.bump(ctx)
}

// Touch gives a set that has a version a new one.
func (r triggerRepo) Touch(ctx context.Context) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	_, err := r.db.NewUpdate().Model((*triggerSetRow)(nil)).Set("version = ?", uuid.NewString()).
		Where("service_id = ? AND version <> ''", r.sid).Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid))
}

// sqlTriggerSetVersion reads a trigger set's version; a hot statement
// (every ticket write runs it).
const sqlTriggerSetVersion = `SELECT version FROM trigger_sets WHERE service_id = ?`

// Version returns the set's version ("" when the set has no row yet):
// one primary-key read.
func (r triggerRepo) Version(ctx context.Context) (string, error) {
	var v string
	err := r.st.raw().QueryRowContext(ctx, sqlTriggerSetVersion, r.sid).Scan(&v)
	if noRows(err) {
		return "", nil
	}
	return v, mapErr(err, "trigger set version")
}
