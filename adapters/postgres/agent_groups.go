package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// This file holds the agent package's other ports: groups and their
// members (AGT-6), the login log (AGT-7) and menu access (AGT-8).
//
// The statements that can fail on a conflict check for it first and write
// nothing when they would, so a refused write (duplicate name, duplicate
// member, unknown agent) returns its error kind and leaves the transaction
// usable, as in the memory store. A constraint still guards against a
// concurrent writer; that rare case aborts the transaction.

type groupRow struct {
	bun.BaseModel `bun:"table:agent_groups"`

	ServiceID    string    `bun:"service_id,pk"`
	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	Position     int       `bun:"position"`
	Strategy     string    `bun:"strategy"`
	FixedAgentID string    `bun:"fixed_agent_id"`
	CreatedAt    time.Time `bun:"created_at"`
}

func (g *groupRow) group() agent.Group {
	return agent.Group{ID: g.ID, Name: g.Name, Position: g.Position, Strategy: agent.Strategy(g.Strategy),
		FixedAgentID: g.FixedAgentID, CreatedAt: g.CreatedAt.UTC()}
}

// groupColumns are the columns of agent.Group (not the round-robin cursor).
var groupColumns = []string{"service_id", "id", "name", "position", "strategy", "fixed_agent_id", "created_at"}

type groupRepo repos

// createGroup inserts the group unless its id or name (case-insensitive) is
// taken; the position comes from the service's counter row, whose lock
// serialises concurrent creates, so every new group goes after the others.
const createGroup = `WITH ok AS (
	SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM agent_groups WHERE service_id = ?0 AND (id = ?1 OR lower(name) = lower(?2)))
), p AS (
	INSERT INTO agent_counters (service_id, next_position) SELECT ?0, 1 FROM ok
	ON CONFLICT (service_id) DO UPDATE SET next_position = agent_counters.next_position + 1
	RETURNING next_position - 1 AS position
)
INSERT INTO agent_groups (service_id, id, name, position, strategy, fixed_agent_id, rr_cursor, created_at)
SELECT ?0, ?1, ?2, p.position, ?3, ?4, 0, ?5 FROM p
RETURNING position`

func (r groupRepo) Create(ctx context.Context, g *agent.Group) error {
	var pos int
	err := r.tx.NewRaw(createGroup, r.sid, g.ID, g.Name, string(g.Strategy), g.FixedAgentID, g.CreatedAt).Scan(ctx, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("group %q or a group named %q exists: %w", g.ID, g.Name, helpdesk.ErrConflict)
	}
	if err != nil {
		return mapErr(err, "group "+g.Name)
	}
	g.Position = pos
	return nil
}

func (r groupRepo) Get(ctx context.Context, id string) (agent.Group, error) {
	var row groupRow
	err := r.tx.NewSelect().Model(&row).Column(groupColumns...).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return agent.Group{}, mapErr(err, "group "+id)
	}
	return row.group(), nil
}

func (r groupRepo) List(ctx context.Context) ([]agent.Group, error) {
	var rows []groupRow
	err := r.tx.NewSelect().Model(&rows).Column(groupColumns...).Where("service_id = ?", r.sid).
		OrderExpr(`position, id COLLATE "C"`).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "groups")
	}
	out := make([]agent.Group, len(rows))
	for i := range rows {
		out[i] = rows[i].group()
	}
	return out, nil
}

// updateGroup writes the group unless another group has the name.
const updateGroup = `UPDATE agent_groups SET name = ?2, strategy = ?3, fixed_agent_id = ?4
WHERE service_id = ?0 AND id = ?1
AND NOT EXISTS (SELECT 1 FROM agent_groups o WHERE o.service_id = ?0 AND lower(o.name) = lower(?2) AND o.id <> ?1)`

func (r groupRepo) Update(ctx context.Context, g agent.Group) error {
	res, err := r.tx.NewRaw(updateGroup, r.sid, g.ID, g.Name, string(g.Strategy), g.FixedAgentID).Exec(ctx)
	if err != nil {
		return mapErr(err, "group "+g.Name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := r.Get(ctx, g.ID); err != nil {
			return err
		}
		return fmt.Errorf("a group named %q exists: %w", g.Name, helpdesk.ErrConflict)
	}
	return nil
}

func (r groupRepo) Reorder(ctx context.Context, ids []string) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return &helpdesk.ValidationError{Problems: []helpdesk.Problem{{Field: "ids", Reason: fmt.Sprintf("%q is listed twice", id)}}}
		}
		seen[id] = true
	}
	// The counter row's lock keeps groups from being created while the
	// list is checked (a service without the row has no groups yet).
	var locked []int
	if err := r.tx.NewRaw("SELECT 1 FROM agent_counters WHERE service_id = ? FOR UPDATE", r.sid).Scan(ctx, &locked); err != nil {
		return mapErr(err, "groups")
	}
	var stored []string
	if err := r.tx.NewRaw("SELECT id FROM agent_groups WHERE service_id = ?", r.sid).Scan(ctx, &stored); err != nil {
		return mapErr(err, "groups")
	}
	for _, id := range stored {
		if !seen[id] {
			return &helpdesk.ValidationError{Problems: []helpdesk.Problem{{Field: "ids", Reason: fmt.Sprintf("group %q is not listed; list every group once", id)}}}
		}
	}
	if len(stored) != len(ids) {
		return &helpdesk.ValidationError{Problems: []helpdesk.Problem{{Field: "ids", Reason: fmt.Sprintf("%d ids for %d groups: unknown ids listed", len(ids), len(stored))}}}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := r.tx.NewRaw(`WITH u AS (
	UPDATE agent_groups g SET position = x.ord - 1
	FROM unnest(?1::text[]) WITH ORDINALITY AS x(id, ord)
	WHERE g.service_id = ?0 AND g.id = x.id
)
UPDATE agent_counters SET next_position = ?2 WHERE service_id = ?0`, r.sid, pgdialect.Array(ids), len(ids)).Exec(ctx)
	return mapErr(err, "groups")
}

func (r groupRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model((*groupRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, "group "+id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("group %q: %w", id, helpdesk.ErrNotFound)
	}
	return nil
}

// addMember inserts the membership when the group and the agent exist and
// the agent is not yet a member; its Seq comes from the service's counter
// row, so numbers increase across the service and a rollback returns them.
const addMember = `WITH ok AS (
	SELECT 1 WHERE EXISTS (SELECT 1 FROM agent_groups WHERE service_id = ?0 AND id = ?1)
	AND EXISTS (SELECT 1 FROM agents WHERE service_id = ?0 AND id = ?2)
	AND NOT EXISTS (SELECT 1 FROM agent_group_members WHERE service_id = ?0 AND group_id = ?1 AND agent_id = ?2)
), n AS (
	INSERT INTO agent_counters (service_id, last_member_seq) SELECT ?0, 1 FROM ok
	ON CONFLICT (service_id) DO UPDATE SET last_member_seq = agent_counters.last_member_seq + 1
	RETURNING last_member_seq
)
INSERT INTO agent_group_members (service_id, group_id, agent_id, seq, joined_at)
SELECT ?0, ?1, ?2, n.last_member_seq, ?3 FROM n
RETURNING seq, joined_at`

func (r groupRepo) AddMember(ctx context.Context, groupID, agentID string, at time.Time) (agent.Membership, error) {
	m := agent.Membership{GroupID: groupID, AgentID: agentID}
	err := r.tx.NewRaw(addMember, r.sid, groupID, agentID, at).Scan(ctx, &m.Seq, &m.JoinedAt)
	if errors.Is(err, sql.ErrNoRows) {
		var group, member bool
		err := r.tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM agent_groups WHERE service_id = ?0 AND id = ?1),
	EXISTS (SELECT 1 FROM agents WHERE service_id = ?0 AND id = ?2)`, r.sid, groupID, agentID).Scan(ctx, &group, &member)
		switch {
		case err != nil:
			return agent.Membership{}, mapErr(err, "group "+groupID)
		case !group:
			return agent.Membership{}, fmt.Errorf("group %q: %w", groupID, helpdesk.ErrNotFound)
		case !member:
			return agent.Membership{}, fmt.Errorf("agent %q: %w", agentID, helpdesk.ErrNotFound)
		}
		return agent.Membership{}, fmt.Errorf("agent %q is in group %q: %w", agentID, groupID, helpdesk.ErrConflict)
	}
	if err != nil {
		return agent.Membership{}, mapErr(err, fmt.Sprintf("agent %s in group %s", agentID, groupID))
	}
	m.JoinedAt = m.JoinedAt.UTC()
	return m, nil
}

func (r groupRepo) RemoveMember(ctx context.Context, groupID, agentID string) error {
	res, err := r.tx.NewRaw("DELETE FROM agent_group_members WHERE service_id = ? AND group_id = ? AND agent_id = ?",
		r.sid, groupID, agentID).Exec(ctx)
	if err != nil {
		return mapErr(err, "group "+groupID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("agent %q in group %q: %w", agentID, groupID, helpdesk.ErrNotFound)
	}
	return nil
}

// Members reads the group and its members in one statement: no row means
// no group, one row without an agent an empty group.
func (r groupRepo) Members(ctx context.Context, groupID string) ([]agent.Membership, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT m.agent_id, m.seq, m.joined_at FROM agent_groups g
LEFT JOIN agent_group_members m ON m.service_id = g.service_id AND m.group_id = g.id
WHERE g.service_id = ? AND g.id = ? ORDER BY m.seq`, r.sid, groupID)
	if err != nil {
		return nil, mapErr(err, "members of group "+groupID)
	}
	defer rows.Close()
	found := false
	var out []agent.Membership
	for rows.Next() {
		found = true
		var id sql.NullString
		var seq sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&id, &seq, &at); err != nil {
			return nil, mapErr(err, "members of group "+groupID)
		}
		if id.Valid {
			out = append(out, agent.Membership{GroupID: groupID, AgentID: id.String, Seq: seq.Int64, JoinedAt: at.Time.UTC()})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "members of group "+groupID)
	}
	if !found {
		return nil, fmt.Errorf("group %q: %w", groupID, helpdesk.ErrNotFound)
	}
	return out, nil
}

func (r groupRepo) GroupsOf(ctx context.Context, agentID string) ([]string, error) {
	var ids []string
	err := r.tx.NewRaw(`SELECT g.id FROM agent_group_members m
JOIN agent_groups g ON g.service_id = m.service_id AND g.id = m.group_id
WHERE m.service_id = ? AND m.agent_id = ? ORDER BY g.position, g.id COLLATE "C"`, r.sid, agentID).Scan(ctx, &ids)
	if err != nil {
		return nil, mapErr(err, "groups of agent "+agentID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return ids, nil
}

// LockCursor locks the group row FOR NO KEY UPDATE: concurrent LockCursor
// calls on the group wait for this transaction, while adding members (whose
// foreign key takes a KEY SHARE lock on the group row) is not held up.
// advanceCursor is agent.NextAfter in one statement: the row lock it takes
// is held only from here to the commit, so concurrent assignments to the
// group queue for the shortest time and never take the same step.
const advanceCursor = `UPDATE agent_groups SET rr_cursor = COALESCE(
	(SELECT min(s) FROM unnest(?::bigint[]) AS s WHERE s > agent_groups.rr_cursor),
	(SELECT min(s) FROM unnest(?::bigint[]) AS s))
WHERE service_id = ? AND id = ?
RETURNING rr_cursor`

func (r groupRepo) AdvanceCursor(ctx context.Context, groupID string, eligible []int64) (int64, error) {
	if len(eligible) == 0 {
		if _, err := r.Get(ctx, groupID); err != nil {
			return 0, err
		}
		return 0, nil
	}
	var c int64
	arr := pgdialect.Array(eligible)
	if err := r.tx.NewRaw(advanceCursor, arr, arr, r.sid, groupID).Scan(ctx, &c); err != nil {
		return 0, mapErr(err, "group "+groupID)
	}
	return c, nil
}

type loginRow struct {
	bun.BaseModel `bun:"table:login_log"`

	ServiceID string    `bun:"service_id,pk"`
	ID        string    `bun:"id,pk"`
	AgentID   string    `bun:"agent_id"`
	Kind      string    `bun:"kind"`
	At        time.Time `bun:"at"`
	Address   string    `bun:"address"`
	UserAgent string    `bun:"user_agent"`
}

type loginLog repos

func (r loginLog) Add(ctx context.Context, e agent.LoginEvent) error {
	row := loginRow{ServiceID: r.sid, ID: e.ID, AgentID: e.AgentID, Kind: string(e.Kind), At: e.At, Address: e.Address, UserAgent: e.UserAgent}
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, "login event "+e.ID)
}

// List walks (at, id) downwards; id has the "C" collation, so ties on at
// break in byte order as in the other stores.
func (r loginLog) List(ctx context.Context, f agent.LoginFilter) (agent.LoginPage, error) {
	after, err := agent.NormalizeLoginFilter(&f)
	if err != nil {
		return agent.LoginPage{}, err
	}
	var rows []loginRow
	q := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if f.AgentID != "" {
		q = q.Where("agent_id = ?", f.AgentID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until)
	}
	if after != nil {
		q = q.Where("(at, id) < (?, ?)", after.At, after.ID)
	}
	if err := q.OrderExpr("at DESC, id DESC").Limit(int64(f.Limit) + 1).Scan(ctx); err != nil {
		return agent.LoginPage{}, mapErr(err, "login log")
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	var p agent.LoginPage
	for _, row := range rows {
		p.Events = append(p.Events, agent.LoginEvent{ID: row.ID, AgentID: row.AgentID, Kind: agent.LoginKind(row.Kind),
			At: row.At.UTC(), Address: row.Address, UserAgent: row.UserAgent})
	}
	if more {
		p.Next = agent.EncodeLoginCursor(p.Events[len(p.Events)-1])
	}
	return p, nil
}

type menuRow struct {
	bun.BaseModel `bun:"table:menu_access"`

	ServiceID  string   `bun:"service_id,pk"`
	Menu       string   `bun:"menu,pk"`
	Partial    bool     `bun:"partial"`
	Restricted []string `bun:"restricted,array"`
}

type menuRepo repos

func (r menuRepo) Get(ctx context.Context, m agent.Menu) (agent.MenuAccess, error) {
	var row menuRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND menu = ?", r.sid, string(m)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return agent.MenuAccess{Menu: m}, nil // never set: everybody
	}
	if err != nil {
		return agent.MenuAccess{}, mapErr(err, "menu "+string(m))
	}
	a := agent.MenuAccess{Menu: m, Partial: row.Partial}
	if len(row.Restricted) > 0 {
		a.Restricted = row.Restricted
	}
	return a, nil
}

func (r menuRepo) Put(ctx context.Context, a agent.MenuAccess) error {
	row := menuRow{ServiceID: r.sid, Menu: string(a.Menu), Partial: a.Partial, Restricted: a.Restricted}
	_, err := r.tx.NewInsert().Model(&row).
		On("CONFLICT (service_id, menu) DO UPDATE").
		Set("partial = EXCLUDED.partial").Set("restricted = EXCLUDED.restricted").Exec(ctx)
	return mapErr(err, "menu "+string(a.Menu))
}
