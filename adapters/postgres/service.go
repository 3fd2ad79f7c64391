package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// serviceRow is a row of services.
type serviceRow struct {
	bun.BaseModel `bun:"table:services"`

	ServiceID string            `bun:"service_id,pk"`
	Settings  helpdesk.Settings `bun:"settings,type:jsonb"`
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

// getService is Get's statement, a hot one (hot.go): most workflows open
// their transaction with it. It reads the trigger set's version and the
// ticket menu's access too, which the workflows that run triggers and the
// agents' ticket work read next (see readAhead), and the row's xmin, which
// checkService compares when the record is next answered from the cache.
const getService = `SELECT s.settings, s.version, s.created_at, s.updated_at,
	coalesce((SELECT t.version FROM trigger_sets AS t WHERE t.service_id = $1), ''),
	coalesce(m.partial, false), m.restricted, s.xmin::text
FROM services AS s LEFT JOIN menu_access AS m ON m.service_id = s.service_id AND m.menu = '` + string(agent.MenuTickets) + `'
WHERE s.service_id = $1`

// Get reads the service's record, and the trigger set's version for
// triggerRepo.Version and the ticket menu's access for menuRepo.Get. While
// nothing of the transaction has been sent, the store's cached record
// answers instead, checked by the server with the first statement
// (servicecache.go).
func (r serviceRepo) Get(ctx context.Context) (helpdesk.ServiceConfig, error) {
	if c := r.cache.get(r.sid); c != nil && repos(r).useCached(c) {
		r.ahead.setVersion(c.triggers)
		r.ahead.setMenu(agent.MenuAccess{Menu: agent.MenuTickets, Partial: c.partial, Restricted: c.restricted})
		return c.cfg.Clone(), nil
	}
	row := serviceRow{ServiceID: r.sid}
	var settings []byte
	c := &cachedService{}
	err := repos(r).queryRow(ctx, getService, []any{r.sid}, &settings, &row.Version, &row.CreatedAt, &row.UpdatedAt, &c.triggers,
		&c.partial, &c.restricted, &c.xmin)
	if err != nil {
		return helpdesk.ServiceConfig{}, mapErr(err, name("service", r.sid))
	}
	r.ahead.setVersion(c.triggers)
	r.ahead.setMenu(agent.MenuAccess{Menu: agent.MenuTickets, Partial: c.partial, Restricted: slices.Clone(c.restricted)})
	if err := json.Unmarshal(settings, &row.Settings); err != nil {
		return helpdesk.ServiceConfig{}, fmt.Errorf("service %q: settings: %w", r.sid, err)
	}
	cfg := row.config()
	c.cfg = cfg.Clone()
	r.cache.put(r.sid, c)
	return cfg, nil
}

// Create stores the record and the service's ticket-number counter.

func (r serviceRepo) Create(ctx context.Context, c helpdesk.ServiceConfig) error {
	row := serviceRow{ServiceID: r.sid, Settings: c.Settings, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if _, err := r.tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return mapErr(err, name("service", r.sid)) // a taken id: "conflict: service "x" exists"
	}
	_, err := r.tx.NewInsert().Model(&ticketCounterRow{ServiceID: r.sid}).Exec(ctx)
	return mapErr(err, name("service", r.sid))
}

func (r serviceRepo) Update(ctx context.Context, c *helpdesk.ServiceConfig) error {
	r.cache.forget(r.sid)
	row := serviceRow{ServiceID: r.sid, Settings: c.Settings, Version: c.Version + 1, UpdatedAt: c.UpdatedAt}
	res, err := r.tx.NewUpdate().Model(&row).ExcludeColumn("service_id", "created_at").
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
