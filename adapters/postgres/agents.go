package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
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
	r.ahead.forgetMembers()
	row := toAgentRow(r.sid, &a)
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("agent", a.ID), agentKeys(a)...)
}

// agentKeys words the refusals of an agent's unique keys as the memory
// store does.
func agentKeys(a agent.Agent) []key {
	return []key{
		{"agents_pkey", func() error { return errs.New(helpdesk.ErrConflict, "agent %q exists", a.ID) }},
		{"agents_email_key", func() error { return errs.New(helpdesk.ErrConflict, "an agent with email %q exists", a.Email) }},
		{"agents_account_key", func() error { return errs.New(helpdesk.ErrConflict, "an agent with account %q exists", a.Account) }},
	}
}

// Lock, Create and Update forget the members' agents a group read fetched
// (readAhead).
func (r agentRepo) Lock(ctx context.Context) error {
	r.ahead.forgetMembers()
	return lockArea(ctx, r.tx, "agents", r.sid)
}

// getAgent is Get's statement, a hot one (hot.go): every agent's call
// reads the agent first (with the service cached, as its transaction's
// first statement).
const getAgent = `SELECT account, name, email, role, active, permissions, toggles, cti_id, extension, version, created_at, updated_at
FROM agents WHERE service_id = $1 AND id = $2`

func (r agentRepo) Get(ctx context.Context, id string) (agent.Agent, error) {
	row := agentRow{ServiceID: r.sid, ID: id}
	var perms, toggles []byte
	var updated pgtype.Timestamptz
	err := repos(r).queryRow(ctx, getAgent, []any{r.sid, id}, &row.Account, &row.Name, &row.Email, &row.Role, &row.Active,
		&perms, &toggles, &row.CTIID, &row.Extension, &row.Version, &row.CreatedAt, &updated)
	if err != nil {
		return agent.Agent{}, mapErr(err, name("agent", id))
	}
	row.UpdatedAt = updated.Time
	if err := row.settings(perms, toggles); err != nil {
		return agent.Agent{}, err
	}
	return row.agent(), nil
}

// listAgents is List's statement, a hot one (hot.go): every assignment
// reads the service's agents.
const listAgents = `SELECT id, account, name, email, role, active, permissions, toggles, cti_id, extension, version, created_at, updated_at
FROM agents WHERE service_id = $1 ORDER BY name COLLATE "C", id COLLATE "C"`

func (r agentRepo) List(ctx context.Context) ([]agent.Agent, error) {
	return r.query(ctx, listAgents, r.sid)
}

// query runs listAgents or listAgentsIn with args.
func (r agentRepo) query(ctx context.Context, query string, args ...any) ([]agent.Agent, error) {
	out := []agent.Agent{}
	err := repos(r).queryRows(ctx, query, args, func(rows pgx.Rows) error {
		a, err := scanAgent(rows)
		if err == nil {
			out = append(out, a)
		}
		return err
	})
	if err != nil {
		return nil, mapErr(err, "agents")
	}
	return out, nil
}

// listAgentsIn is ListIn's statement, a hot one (hot.go), when the
// transaction's group read did not fetch the agents already.
const listAgentsIn = `SELECT id, account, name, email, role, active, permissions, toggles, cti_id, extension, version, created_at, updated_at
FROM agents WHERE service_id = $1 AND id = ANY($2) ORDER BY name COLLATE "C", id COLLATE "C"`

// ListIn returns the agents among ids: from the transaction's read of a
// group, which fetched its members' agents, when ids are those members.
func (r agentRepo) ListIn(ctx context.Context, ids []string) ([]agent.Agent, error) {
	if as, ok := r.ahead.agentsIn(ids); ok {
		return as, nil
	}
	if len(ids) == 0 {
		return []agent.Agent{}, nil
	}
	return r.query(ctx, listAgentsIn, r.sid, ids)
}

// scanAgent scans a row of listAgents or listAgentsIn.
func scanAgent(rows pgx.Rows) (agent.Agent, error) {
	var row agentRow
	var perms, toggles []byte
	var updated pgtype.Timestamptz
	if err := rows.Scan(&row.ID, &row.Account, &row.Name, &row.Email, &row.Role, &row.Active,
		&perms, &toggles, &row.CTIID, &row.Extension, &row.Version, &row.CreatedAt, &updated); err != nil {
		return agent.Agent{}, err
	}
	row.UpdatedAt = updated.Time
	if err := row.settings(perms, toggles); err != nil {
		return agent.Agent{}, err
	}
	return row.agent(), nil
}

// jsonAgents decodes the agents getGroup read as a JSON array.
func jsonAgents(b []byte) ([]agent.Agent, error) {
	var rows []struct {
		ID          string            `json:"id"`
		Account     string            `json:"account"`
		Name        string            `json:"name"`
		Email       string            `json:"email"`
		Role        string            `json:"role"`
		Active      bool              `json:"active"`
		Permissions agent.Permissions `json:"permissions"`
		Toggles     agent.Toggles     `json:"toggles"`
		CTIID       string            `json:"cti_id"`
		Extension   string            `json:"extension"`
		Version     int64             `json:"version"`
		CreatedUS   int64             `json:"created_us"`
		UpdatedUS   *int64            `json:"updated_us"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, err
	}
	out := make([]agent.Agent, len(rows))
	for i, x := range rows {
		row := agentRow{ID: x.ID, Account: x.Account, Name: x.Name, Email: x.Email, Role: x.Role, Active: x.Active,
			Permissions: x.Permissions, Toggles: x.Toggles, CTIID: x.CTIID, Extension: x.Extension, Version: x.Version,
			CreatedAt: time.UnixMicro(x.CreatedUS)}
		if x.UpdatedUS != nil {
			row.UpdatedAt = time.UnixMicro(*x.UpdatedUS)
		}
		out[i] = row.agent()
	}
	return out, nil
}

// settings decodes the permissions and toggles columns a hot statement
// read as JSON.
func (a *agentRow) settings(perms, toggles []byte) error {
	if err := json.Unmarshal(perms, &a.Permissions); err != nil {
		return fmt.Errorf("agent %q: permissions: %w", a.ID, err)
	}
	if err := json.Unmarshal(toggles, &a.Toggles); err != nil {
		return fmt.Errorf("agent %q: toggles: %w", a.ID, err)
	}
	return nil
}

// Update writes every column of a when the stored version is a.Version;
// when no row matched, a read tells an unknown agent from a stale version.
func (r agentRepo) Update(ctx context.Context, a *agent.Agent) error {
	r.ahead.forgetMembers()
	row := toAgentRow(r.sid, a)
	row.Version = a.Version + 1
	res, err := r.tx.NewUpdate().Model(&row).WherePK().Where("version = ?", a.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, name("agent", a.ID), agentKeys(*a)...)
	}
	if n, _ := res.RowsAffected(); n == 0 { // unknown or stale: which?
		var cur agentRow
		err := r.tx.NewSelect().Model(&cur).Column("version").Where("service_id = ? AND id = ?", r.sid, a.ID).Scan(ctx)
		if err != nil {
			return mapErr(err, name("agent", a.ID))
		}
		return errs.New(helpdesk.ErrConflict, "agent %q is at version %d, not %d", a.ID, cur.Version, a.Version)
	}
	a.Version = row.Version
	return nil
}
