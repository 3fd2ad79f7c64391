package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

type agentRepo struct{ tx *txn }

func (r agentRepo) Create(ctx context.Context, a agent.Agent) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	email := strings.ToLower(a.Email)
	if _, ok := t.agents[a.ID]; ok {
		return fmt.Errorf("agent %q exists: %w", a.ID, helpdesk.ErrConflict)
	}
	if _, ok := t.agentEmails[email]; ok {
		return fmt.Errorf("an agent with email %q exists: %w", a.Email, helpdesk.ErrConflict)
	}
	t.agents[a.ID] = a
	t.agentEmails[email] = a.ID
	r.tx.onUndo(func() {
		delete(t.agents, a.ID)
		delete(t.agentEmails, email)
	})
	return nil
}

func (r agentRepo) Get(ctx context.Context, id string) (agent.Agent, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.Agent{}, err
	}
	a, ok := r.tx.t.agents[id]
	if !ok {
		return agent.Agent{}, fmt.Errorf("agent %q: %w", id, helpdesk.ErrNotFound)
	}
	return a, nil
}

func (r agentRepo) List(ctx context.Context) ([]agent.Agent, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]agent.Agent, 0, len(r.tx.t.agents))
	for _, a := range r.tx.t.agents {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b agent.Agent) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}
