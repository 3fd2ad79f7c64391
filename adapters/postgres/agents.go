package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// agentRow is a row of agents. Uniqueness of the email (case-insensitive)
// and of a non-empty account is the unique indexes' (agents_email_key,
// agents_account_key); a violation aborts the transaction and maps to
// ErrConflict.
type agentRow struct {
	bun.BaseModel `bun:"table:agents,alias:a"`

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

// Update writes every column of a when the stored version is a.Version;
// when no row matched, a read tells an unknown agent from a stale version.
func (r agentRepo) Update(ctx context.Context, a *agent.Agent) error {
	row := toAgentRow(r.sid, a)
	row.Version = a.Version + 1
	res, err := r.tx.NewUpdate().Model(&row).WherePK().Where("version = ?", a.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, "agent "+a.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		found, err := r.tx.NewSelect().Model((*agentRow)(nil)).Where("service_id = ? AND id = ?", r.sid, a.ID).Exists(ctx)
		if err != nil {
			return mapErr(err, "agent "+a.ID)
		}
		if !found {
			return fmt.Errorf("agent %q: %w", a.ID, helpdesk.ErrNotFound)
		}
		return fmt.Errorf("agent %q is not at version %d: %w", a.ID, a.Version, helpdesk.ErrConflict)
	}
	a.Version = row.Version
	return nil
}
