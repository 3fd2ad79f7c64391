package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

type agentRow struct {
	bun.BaseModel `bun:"table:agents"`

	ServiceID   string            `bun:"service_id,pk"`
	ID          string            `bun:"id,pk"`
	Account     string            `bun:"account"`
	Name        string            `bun:"name"`
	Email       string            `bun:"email"`
	Role        string            `bun:"role"`
	Active      bool              `bun:"active"`
	Permissions agent.Permissions `bun:"permissions,type:jsonb"`
	Toggles     agent.Toggles     `bun:"toggles,type:jsonb"`
	CTIID       string            `bun:"cti_id"`
	Extension   string            `bun:"extension"`
	Version     int64             `bun:"version"`
	CreatedAt   time.Time         `bun:"created_at"`
	UpdatedAt   time.Time         `bun:"updated_at,nullzero"`
}

func toAgentRow(sid string, a *agent.Agent) agentRow {
	return agentRow{ServiceID: sid, ID: a.ID, Account: a.Account, Name: a.Name, Email: a.Email, Role: string(a.Role),
		Active: a.Active, Permissions: a.Permissions, Toggles: a.Toggles, CTIID: a.CTIID, Extension: a.Extension,
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (a *agentRow) agent() agent.Agent {
	out := agent.Agent{ID: a.ID, Account: a.Account, Name: a.Name, Email: a.Email, Role: agent.Role(a.Role), Active: a.Active,
		Permissions: a.Permissions, Toggles: a.Toggles, CTIID: a.CTIID, Extension: a.Extension,
		Version: a.Version, CreatedAt: a.CreatedAt.UTC()}
	if !a.UpdatedAt.IsZero() {
		out.UpdatedAt = a.UpdatedAt.UTC()
	}
	return out
}

// agentUpdatable are the columns Update writes: account, email and the
// creation time come from the directory and stay as they are.
var agentUpdatable = []string{"name", "role", "active", "permissions", "toggles", "cti_id", "extension", "version", "updated_at"}

type agentRepo repos

func (r agentRepo) Create(ctx context.Context, a agent.Agent) error {
	row := toAgentRow(r.sid, &a)
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
	for i := range rows {
		out[i] = rows[i].agent()
	}
	return out, nil
}

// Update writes a when the stored version is a.Version and reads back the
// columns it does not write, so a ends up equal to the stored agent.
func (r agentRepo) Update(ctx context.Context, a *agent.Agent) error {
	row := toAgentRow(r.sid, a)
	row.Version = a.Version + 1
	err := r.tx.NewUpdate().Model(&row).Column(agentUpdatable...).
		Where("service_id = ? AND id = ? AND version = ?", r.sid, a.ID, a.Version).
		Returning("account, email, created_at").Scan(ctx, &row.Account, &row.Email, &row.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		var cur int64
		err := r.tx.NewSelect().Table("agents").Column("version").Where("service_id = ? AND id = ?", r.sid, a.ID).Scan(ctx, &cur)
		if err != nil {
			return mapErr(err, "agent "+a.ID)
		}
		return fmt.Errorf("agent %q is at version %d, not %d: %w", a.ID, cur, a.Version, helpdesk.ErrConflict)
	}
	if err != nil {
		return mapErr(err, "agent "+a.ID)
	}
	*a = row.agent()
	return nil
}
