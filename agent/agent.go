// Package agent holds the people who work a service's tickets: agents and
// their roles (AGT-3). The full permission model, groups, menu access, the
// login log and assignment strategies build on this package.
package agent

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
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

// Agent is a member of the host product's user directory who works in one
// service.
type Agent struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// New is what a caller supplies to add an agent.
type New struct {
	Name  string
	Email string
	Role  Role
}

// Validate checks n and returns a *helpdesk.ValidationError naming every
// bad field.
func (n New) Validate() error {
	var c errs.Collector
	if strings.TrimSpace(n.Name) == "" {
		c.Add("name", "is required")
	} else if len(n.Name) > 200 {
		c.Add("name", "is over 200 bytes")
	}
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
		c.Add("email", "%q is not a plain email address", n.Email)
	}
	if !n.Role.Valid() {
		c.Add("role", "unknown role %q", n.Role)
	}
	return c.Err()
}

// Repository stores one service's agents (SVC-1).
type Repository interface {
	// Create stores a; another agent with the same email (case-insensitive)
	// returns ErrConflict.
	Create(ctx context.Context, a Agent) error
	// Get returns the agent with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Agent, error)
	// List returns every agent, by name then id.
	List(ctx context.Context) ([]Agent, error)
}
