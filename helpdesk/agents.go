package helpdesk

import (
	"context"
	"strings"

	"github.com/deskkit/deskkit/agent"
)

// CreateAgent adds an agent to the service (AGT-2; admin or system). The
// first admin of a new service is created by the System actor. An email
// already used in the service returns ErrConflict.
func (s *Session) CreateAgent(ctx context.Context, n agent.New) (agent.Agent, error) {
	n.Email = strings.TrimSpace(n.Email)
	if err := n.Validate(); err != nil {
		return agent.Agent{}, err
	}
	var out agent.Agent
	err := s.run(ctx, permSettings, func(o *op) error {
		a := agent.Agent{ID: s.desk.newID(), Name: n.Name, Email: n.Email, Role: n.Role, Active: true, CreatedAt: o.now}
		if err := o.r.Agents().Create(ctx, a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// Agent returns one agent of the service.
func (s *Session) Agent(ctx context.Context, id string) (agent.Agent, error) {
	var out agent.Agent
	err := s.run(ctx, permRead, func(o *op) (err error) {
		out, err = o.r.Agents().Get(ctx, id)
		return err
	})
	return out, err
}

// Agents lists the service's agents.
func (s *Session) Agents(ctx context.Context) ([]agent.Agent, error) {
	var out []agent.Agent
	err := s.run(ctx, permRead, func(o *op) (err error) {
		out, err = o.r.Agents().List(ctx)
		return err
	})
	return out, err
}
