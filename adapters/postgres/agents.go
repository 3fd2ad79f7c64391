package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
)

type agentRow struct {
	bun.BaseModel `bun:"table:agents"`

	ServiceID string    `bun:"service_id,pk"`
	ID        string    `bun:"id,pk"`
	Name      string    `bun:"name"`
	Email     string    `bun:"email"`
	Role      string    `bun:"role"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
}

func (a agentRow) agent() agent.Agent {
	return agent.Agent{ID: a.ID, Name: a.Name, Email: a.Email, Role: agent.Role(a.Role), Active: a.Active, CreatedAt: a.CreatedAt.UTC()}
}

type agentRepo repos

func (r agentRepo) Create(ctx context.Context, a agent.Agent) error {
	row := agentRow{ServiceID: r.sid, ID: a.ID, Name: a.Name, Email: a.Email, Role: string(a.Role), Active: a.Active, CreatedAt: a.CreatedAt}
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, "agent "+a.Email)
}

func (r agentRepo) Get(ctx context.Context, id string) (agent.Agent, error) {
	var row agentRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return agent.Agent{}, mapErr(err, "agent "+id)
	}
	return row.agent(), nil
}

func (r agentRepo) List(ctx context.Context) ([]agent.Agent, error) {
	var rows []agentRow
	err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr(`name COLLATE "C", id COLLATE "C"`).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "agents")
	}
	out := make([]agent.Agent, len(rows))
	for i, row := range rows {
		out[i] = row.agent()
	}
	return out, nil
}
