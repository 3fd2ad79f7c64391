package agent

import (
	"context"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Role is an agent's role (AGT-3).
type Role string

// The roles.
const (
	RoleAdmin Role = "admin" // agent rights plus the service settings menus
	RoleAgent Role = "agent" // ticket, phone and chat work
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent }

// Permissions are what an agent may do besides their role (AGT-2, AGT-4).
// Admins hold every permission.
type Permissions struct {
	// Consultation channels; only channels the service contracted (SVC-4).
	Ticket bool `json:"ticket"`
	Chat   bool `json:"chat"`
	Phone  bool `json:"phone"`
	// Forward: forward tickets to another agent or group (TKT-7).
	Forward bool `json:"forward"`
	// ViewLogs: read the login log (AGT-7).
	ViewLogs bool `json:"view_logs"`
	// Export: export ticket history (TKT-4).
	Export bool `json:"export"`
}

// Toggles are an agent's assignment switches (AGT-5).
type Toggles struct {
	// TicketAssignment off: the agent cannot be assigned at creation, by
	// forwarding or by a group's strategy.
	TicketAssignment bool `json:"ticket_assignment"`
	// ChatAssignment off: no chats even when online.
	ChatAssignment bool `json:"chat_assignment"`
	// AssignmentControl on: the agent may flip their own two toggles;
	// otherwise only an admin can.
	AssignmentControl bool `json:"assignment_control"`
}

// Agent is a member of the host product's user directory who works in one
// service.
type Agent struct {
	ID string `json:"id"`
	// Account is the agent's id in the host's user directory (AGT-1).
	Account     string      `json:"account"`
	Name        string      `json:"name"`
	Email       string      `json:"email"`
	Role        Role        `json:"role"`
	Active      bool        `json:"active"`
	Permissions Permissions `json:"permissions"`
	Toggles     Toggles     `json:"toggles"`
	// CTIID and Extension exist only when the service contracted phone.
	CTIID     string    `json:"cti_id,omitempty"`
	Extension string    `json:"extension,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// IsAdmin reports whether a has the admin role.
func (a Agent) IsAdmin() bool { return a.Role == RoleAdmin }

// Can reports whether a holds the permission p picks out; admins hold all.
func (a Agent) Can(p func(Permissions) bool) bool { return a.IsAdmin() || p(a.Permissions) }

// New is what a caller supplies to add an agent (AGT-2). With a Directory
// configured, Account is looked up there and Name and Email come from the
// directory; without one, Name and Email are taken as given.
//
// Left out, Role, Permissions and Toggles get the defaults a helpdesk admin
// expects: an ordinary agent who can read and work tickets on every
// contracted channel, forward them, and be assigned tickets (see
// DefaultPermissions and DefaultToggles). To say no, give the value
// explicitly: Permissions: &agent.Permissions{} is an agent with no
// permissions, Toggles: &agent.Toggles{} one who is never assigned.
type New struct {
	Account string
	Name    string
	Email   string
	// Role is RoleAgent when empty.
	Role     Role
	GroupIDs []string
	// Permissions nil: DefaultPermissions(Role), keeping only the channels
	// the service contracted (SVC-4). Non-nil: exactly these.
	Permissions *Permissions
	// Toggles nil: DefaultToggles(Role). Non-nil: exactly these.
	Toggles   *Toggles
	CTIID     string
	Extension string
}

// DefaultPermissions are the permissions a new agent of role r gets when
// New.Permissions is nil (AGT-2). An agent consults on every channel (the
// service keeps only the contracted ones) and may forward tickets; reading
// the login log and exporting the history are left to admins, who hold
// every permission. An unknown role gets none.
func DefaultPermissions(r Role) Permissions {
	switch r {
	case RoleAdmin:
		return Permissions{Ticket: true, Chat: true, Phone: true, Forward: true, ViewLogs: true, Export: true}
	case RoleAgent:
		return Permissions{Ticket: true, Chat: true, Phone: true, Forward: true}
	}
	return Permissions{}
}

// DefaultToggles are the toggles a new agent of role r gets when
// New.Toggles is nil (AGT-5): ticket and chat assignment on, so group
// strategies and forwarding can give them work; assignment control (flipping
// their own toggles) on for admins only. An unknown role gets none.
func DefaultToggles(r Role) Toggles {
	switch r {
	case RoleAdmin:
		return Toggles{TicketAssignment: true, ChatAssignment: true, AssignmentControl: true}
	case RoleAgent:
		return Toggles{TicketAssignment: true, ChatAssignment: true}
	}
	return Toggles{}
}

// Validate checks the fields that need no service settings and returns a
// *helpdesk.ValidationError naming every bad field.
func (n New) Validate() error {
	var c errs.Collector
	text.Check(&c, "account", n.Account, false, text.AddressBytes)
	text.Check(&c, "name", n.Name, true, text.NameBytes)
	text.CheckEmail(&c, "email", n.Email)
	if n.Role != "" && !n.Role.Valid() {
		c.Add("role", "unknown role %q", n.Role)
	}
	text.CheckList(&c, "group_ids", n.GroupIDs, text.KeyBytes)
	text.Check(&c, "cti_id", n.CTIID, false, MaxCTIIDBytes)
	text.Check(&c, "extension", n.Extension, false, MaxExtensionBytes)
	return c.Err()
}

// Limits of an agent's phone settings.
const (
	MaxCTIIDBytes     = 64
	MaxExtensionBytes = 32
)

// Validate checks the texts u sets (CTI id, extension) as New.Validate
// does, and returns a *helpdesk.ValidationError naming every bad field.
func (u Update) Validate() error {
	var c errs.Collector
	if u.CTIID != nil {
		text.Check(&c, "cti_id", *u.CTIID, false, MaxCTIIDBytes)
	}
	if u.Extension != nil {
		text.Check(&c, "extension", *u.Extension, false, MaxExtensionBytes)
	}
	return c.Err()
}

// Update changes an agent's settings (admin). Nil fields stay as they are.
// Version is the version the caller read (a stale one is ErrConflict).
type Update struct {
	Version     int64
	Role        *Role
	Active      *bool
	Permissions *Permissions
	CTIID       *string
	Extension   *string
}

// Repository stores one service's agents (SVC-1). It persists and reads; it
// makes no rule checks (what may change, and who may change it, is decided
// by package helpdesk). It returns stored rows, ErrNotFound, ErrConflict (a
// taken id, email (case-insensitive) or non-empty account, or a stale
// version) and wrapped driver errors. On Postgres a refused Create or Update
// that hit a unique key aborts the transaction: the caller can only return
// the error.
type Repository interface {
	// Lock serialises, for the rest of the transaction, the service's
	// agent writes that check the other agents (the last active admin,
	// AGT-3); read-check-write workflows take it before they read.
	Lock(ctx context.Context) error
	// Create stores a as given; a taken id, email (case-insensitive) or
	// non-empty account is ErrConflict.
	Create(ctx context.Context, a Agent) error
	// Get returns the agent with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Agent, error)
	// List returns every agent, by name then id (byte order).
	List(ctx context.Context) ([]Agent, error)
	// ListIn returns the agents among ids, by name then id (byte order)
	// as List does; unknown ids are left out. An assignment reads a
	// group's members with it, not the whole service's agents.
	ListIn(ctx context.Context, ids []string) ([]Agent, error)
	// Update stores every field of a if the stored version is a.Version,
	// then increments a.Version; ErrConflict on a stale version or a taken
	// email or account, ErrNotFound if unknown.
	Update(ctx context.Context, a *Agent) error
}
