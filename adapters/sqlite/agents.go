package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// agentRow is a row of agents. Uniqueness of the email (case-insensitive:
// EmailKey is the email lowered) and of a non-empty account is the unique
// indexes'; a violation maps to ErrConflict.
type agentRow struct {
	bun.BaseModel `bun:"table:agents,alias:a"`

	ServiceID   string            `bun:"service_id,pk"`
	ID          string            `bun:"id,pk"`
	Account     string            `bun:"account"`
	Name        string            `bun:"name"`
	Email       string            `bun:"email"`
	EmailKey    string            `bun:"email_key"`
	Role        string            `bun:"role"`
	Active      bool              `bun:"active"`
	Permissions agent.Permissions `bun:"permissions,type:json"`
	Toggles     agent.Toggles     `bun:"toggles,type:json"`
	CTIID       string            `bun:"cti_id"`
	Extension   string            `bun:"extension"`
	Version     int64             `bun:"version"`
	CreatedAt   time.Time         `bun:"created_at"`
	UpdatedAt   time.Time         `bun:"updated_at,nullzero"`
}

func toAgentRow(sid string, a *agent.Agent) agentRow {
	return agentRow{ServiceID: sid, ID: a.ID, Account: a.Account, Name: a.Name, Email: a.Email, EmailKey: strings.ToLower(a.Email),
		Role: string(a.Role), Active: a.Active, Permissions: a.Permissions, Toggles: a.Toggles, CTIID: a.CTIID, Extension: a.Extension,
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toAgentRow(r.sid, &a)
	_, err := r.db.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("agent", a.ID), r.keys(ctx, a)...)
}

// keys words the refusals of an agent's unique keys as the memory store
// does. SQLite names one violated index, not always the first: when the
// account is taken, a read tells whether the email is taken too (which
// the other stores report first).
func (r agentRepo) keys(ctx context.Context, a agent.Agent) []key {
	ks := agentKeys(r.sid, a)
	account := ks[2].err
	ks[2].err = func() error {
		taken, err := r.db.NewSelect().Model((*agentRow)(nil)).
			Where("service_id = ? AND email_key = ? AND id <> ?", r.sid, strings.ToLower(a.Email), a.ID).Exists(ctx)
		if err == nil && taken {
			return ks[1].err()
		}
		return account()
	}
	return ks
}

// agentKeys words the refusals of an agent's unique keys as the memory
// store does.
func agentKeys(sid string, a agent.Agent) []key {
	return []key{
		{"agents.service_id, agents.id", func() error { return errs.New(helpdesk.ErrConflict, "agent %q exists", a.ID) }},
		{"agents.service_id, agents.email_key", func() error { return errs.New(helpdesk.ErrConflict, "an agent with email %q exists", a.Email) }},
		{"agents.service_id, agents.account", func() error { return errs.New(helpdesk.ErrConflict, "an agent with account %q exists", a.Account) }},
		{foreignKey, func() error { return errs.NotFound("service", sid) }},
	}
}

func (r agentRepo) Lock(ctx context.Context) error { return repos(r).lock(ctx) }

func (r agentRepo) Get(ctx context.Context, id string) (agent.Agent, error) {
	var row agentRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return agent.Agent{}, mapErr(err, name("agent", id))
	}
	return row.agent(), nil
}

func (r agentRepo) List(ctx context.Context) ([]agent.Agent, error) {
	var rows []agentRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("name, id").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "agents")
	}
	out := make([]agent.Agent, len(rows))
	for i := range rows {
		out[i] = rows[i].agent()
	}
	return out, nil
}

func (r agentRepo) ListIn(ctx context.Context, ids []string) ([]agent.Agent, error) {
	if len(ids) == 0 {
		return []agent.Agent{}, nil
	}
	var rows []agentRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND id IN (?)", r.sid, bun.List(ids)).OrderExpr("name, id").Scan(ctx)
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toAgentRow(r.sid, a)
	row.Version = a.Version + 1
	res, err := r.db.NewUpdate().Model(&row).WherePK().Where("version = ?", a.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, name("agent", a.ID), r.keys(ctx, *a)...)
	}
	if n, _ := res.RowsAffected(); n == 0 { // unknown or stale: which?
		var cur agentRow
		err := r.db.NewSelect().Model(&cur).Column("version").Where("service_id = ? AND id = ?", r.sid, a.ID).Scan(ctx)
		if err != nil {
			return mapErr(err, name("agent", a.ID))
		}
		return errs.New(helpdesk.ErrConflict, "agent %q is at version %d, not %d", a.ID, cur.Version, a.Version)
	}
	a.Version = row.Version
	return nil
}
