package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/rowconv"
	"github.com/deskkit/deskkit/trigger"
)

// triggerRepo stores triggers in triggers, conditions and actions as
// jsonb, and the trigger set's version in trigger_sets, whose row is also
// the service's trigger write lock (Lock makes it, with an empty version,
// if needed). Every write gives the set a new random version. The
// constraints (the id; one position per list, checked at the end of each
// statement) are the only checks.
type triggerRepo repos

// triggerRow is a row of triggers. Empty condition and action lists are
// stored as [] and read back as nil.
type triggerRow struct {
	bun.BaseModel `bun:"table:triggers"`

	ServiceID   string              `bun:"service_id,pk"`
	ID          string              `bun:"id,pk"`
	Name        string              `bun:"name"`
	Description string              `bun:"description"`
	All         []trigger.Condition `bun:"all_conditions,type:jsonb"`
	Any         []trigger.Condition `bun:"any_conditions,type:jsonb"`
	Actions     []trigger.Action    `bun:"actions,type:jsonb"`
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
	r.ahead.forgetVersion()
	r.cache.forget(r.sid)
	_, err := r.tx.NewInsert().Model(&triggerSetRow{ServiceID: r.sid, Version: uuid.NewString()}).
		On("CONFLICT (service_id) DO UPDATE").Set("version = EXCLUDED.version").Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid))
}

// Lock locks the service's trigger_sets row, making it if needed; an
// unknown service fails its foreign key (ErrNotFound).
func (r triggerRepo) Lock(ctx context.Context) error {
	r.ahead.forgetVersion() // read again once the lock is held
	_, err := r.tx.NewInsert().Model(&triggerSetRow{ServiceID: r.sid}).
		On("CONFLICT (service_id) DO UPDATE").Set("version = ?TableAlias.version").Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid))
}

func (r triggerRepo) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	var row triggerRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return trigger.Trigger{}, mapErr(err, name("trigger", id))
	}
	return row.trigger(), nil
}

func (r triggerRepo) List(ctx context.Context) ([]trigger.Trigger, error) {
	var rows []triggerRow
	err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("active DESC, position").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "triggers")
	}
	out := make([]trigger.Trigger, len(rows))
	for i := range rows {
		out[i] = rows[i].trigger()
	}
	return out, nil
}

// Insert writes nothing when the id is taken, leaving the transaction
// usable; a taken position fails the constraint.
func (r triggerRepo) Insert(ctx context.Context, t trigger.Trigger) error {
	row := r.row(t)
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("trigger", t.ID), positionKey(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "trigger %q exists", t.ID)
	}
	return r.bump(ctx)
}

// positionKey words a taken position as the memory store does, from the
// key the constraint names ("acme, t, 3": service, active, position).
func positionKey(err error) key {
	return key{"triggers_position_key", func() error {
		active, pos, _ := strings.Cut(keyValue(err, 1), ", ")
		list := "inactive"
		if active == "t" || active == "true" {
			list = "active"
		}
		return errs.New(helpdesk.ErrConflict, "two triggers would be at position %s of the %s list", pos, list)
	}}
}

// Save updates the rows in one statement, so that positions may be
// swapped or shifted.
func (r triggerRepo) Save(ctx context.Context, ts ...trigger.Trigger) error {
	if len(ts) == 0 {
		return nil
	}
	rows := make([]triggerRow, len(ts))
	for i, t := range ts {
		rows[i] = r.row(t)
	}
	res, err := r.tx.NewUpdate().Model(&rows).Bulk().Exec(ctx)
	if err != nil {
		return mapErr(err, "triggers", positionKey(err))
	}
	if n, _ := res.RowsAffected(); n != int64(len(rows)) {
		ids := make([]string, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		return firstMissing(ctx, r.tx, "triggers", "trigger", r.sid, ids)
	}
	return r.bump(ctx)
}

func (r triggerRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model((*triggerRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
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
	r.ahead.forgetVersion()
	r.cache.forget(r.sid)
	_, err := r.tx.NewUpdate().Model((*triggerSetRow)(nil)).Set("version = ?", uuid.NewString()).
		Where("service_id = ? AND version <> ''", r.sid).Exec(ctx)
	return mapErr(err, name("triggers of service", r.sid))
}

// triggerSetVersion is Version's statement, a hot one (hot.go): every
// ticket event reads it unless the desk caches the set.
const triggerSetVersion = `SELECT version FROM trigger_sets WHERE service_id = $1`

// Version returns the set's version: one primary-key read; "" when the
// service never had a trigger. The transaction's service read fetched it
// already, unless the transaction has locked or written the set since.
func (r triggerRepo) Version(ctx context.Context) (string, error) {
	if v, ok := r.ahead.version(); ok {
		return v, nil
	}
	var v string
	err := repos(r).queryRow(ctx, triggerSetVersion, []any{r.sid}, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, mapErr(err, "trigger set version")
}
