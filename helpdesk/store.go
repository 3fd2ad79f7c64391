package helpdesk

import (
	"context"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// Store is the persistence port. adapters/memory and adapters/postgres
// implement it; adapters/storetest is the conformance suite every
// implementation must pass. A store that also implements notify.Queue can
// feed a Dispatcher (Desk.Dispatcher).
type Store interface {
	// Tx runs fn in one transaction scoped to one service (tenant): the
	// repositories it hands out cannot see another service's rows (SVC-1).
	// When fn returns an error (or panics) nothing it wrote remains.
	Tx(ctx context.Context, serviceID string, fn func(Repos) error) error
	// Services returns up to limit ids of the stored services that come
	// after the id after (empty: from the first), in an order of the
	// store's choosing that does not change: paging with the last id
	// returned visits every service once. It reads outside any service's
	// transaction and makes no rule checks.
	Services(ctx context.Context, after string, limit int) ([]string, error)
	// Close releases the store's resources.
	Close() error
}

// Repos hands out the repositories of one service inside one transaction.
// They must not be used after the transaction ends.
type Repos interface {
	Service() ServiceRepository
	Tickets() ticket.Repository
	Agents() agent.Repository
	Groups() agent.GroupRepository
	Logins() agent.LoginLog
	Menus() agent.MenuRepository
	Outbox() notify.Outbox
	Recipients() notify.RecipientRepository
	Surge() notify.SurgeRepository
	Categories() category.Repository
	Fields() field.Repository
	Templates() template.Repository
	// Triggers stores the service's triggers and their order (TRG-1).
	Triggers() trigger.Repository
}

// ServiceRepository stores the one ServiceConfig record of the transaction's
// service. The store persists and reads the record; it makes no rule checks
// (the settings are checked by the workflows before they reach it).
type ServiceRepository interface {
	// Get returns the service's record, or ErrNotFound when the service does
	// not exist.
	Get(ctx context.Context) (ServiceConfig, error)
	// Create stores a new service record; ErrConflict when it exists.
	Create(ctx context.Context, c ServiceConfig) error
	// Update stores c if the stored version is c.Version, then increments
	// c.Version; ErrConflict on a stale version.
	Update(ctx context.Context, c *ServiceConfig) error
}
