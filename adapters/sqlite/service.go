package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// serviceRow is a row of services.
type serviceRow struct {
	bun.BaseModel `bun:"table:services"`

	ServiceID string            `bun:"service_id,pk"`
	Settings  helpdesk.Settings `bun:"settings,type:json"`
	Version   int64             `bun:"version"`
	CreatedAt time.Time         `bun:"created_at"`
	UpdatedAt time.Time         `bun:"updated_at"`
}

func (row *serviceRow) config() helpdesk.ServiceConfig {
	return helpdesk.ServiceConfig{ID: row.ServiceID, Settings: row.Settings, Version: row.Version,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
}

// serviceRepo is helpdesk.ServiceRepository: it persists and reads the
// record; the workflows check the settings before they call it.
type serviceRepo repos

// sqlGetService reads a service's record; a hot statement (every
// workflow that does not cache the settings runs it).
const sqlGetService = `SELECT settings, version, created_at, updated_at FROM services WHERE service_id = ?`

func (r serviceRepo) Get(ctx context.Context) (helpdesk.ServiceConfig, error) {
	row := serviceRow{ServiceID: r.sid}
	var settings, created, updated string
	err := r.st.raw().QueryRowContext(ctx, sqlGetService, r.sid).Scan(&settings, &row.Version, &created, &updated)
	if err == nil {
		err = json.Unmarshal([]byte(settings), &row.Settings)
	}
	if err == nil {
		row.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		row.UpdatedAt, err = parseTime(updated)
	}
	if err != nil {
		return helpdesk.ServiceConfig{}, mapErr(err, name("service", r.sid))
	}
	return row.config(), nil
}

// Create stores the record.
func (r serviceRepo) Create(ctx context.Context, c helpdesk.ServiceConfig) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := serviceRow{ServiceID: r.sid, Settings: c.Settings, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	_, err := r.db.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("service", r.sid)) // a taken id: "conflict: service "x" exists"
}

func (r serviceRepo) Update(ctx context.Context, c *helpdesk.ServiceConfig) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := serviceRow{ServiceID: r.sid, Settings: c.Settings, Version: c.Version + 1, UpdatedAt: c.UpdatedAt}
	res, err := r.db.NewUpdate().Model(&row).ExcludeColumn("service_id", "created_at").
		Where("service_id = ? AND version = ?", r.sid, c.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, name("service", r.sid))
	}
	if n, _ := res.RowsAffected(); n == 0 { // unknown or stale: which?
		cur, err := r.Get(ctx)
		if err != nil {
			return err
		}
		return errs.New(helpdesk.ErrConflict, "service %q is at version %d, not %d", r.sid, cur.Version, c.Version)
	}
	c.Version++
	return nil
}
