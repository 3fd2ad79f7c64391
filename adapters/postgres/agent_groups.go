package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// This file holds the agent package's other ports: groups and their
// members (AGT-6), the login log (AGT-7) and menu access (AGT-8).
//
// Uniqueness is the database's: a taken group name is agent_groups_name_key,
// a second membership the primary key, an unknown group or agent a foreign
// key. Such a refused write aborts the transaction; mapErr turns it into
// ErrConflict or ErrNotFound.

// groupRow is a row of agent_groups without its round-robin cursor, which
// only AdvanceCursor reads and writes.
type groupRow struct {
	bun.BaseModel `bun:"table:agent_groups,alias:g"`

	ServiceID    string    `bun:"service_id,pk"`
	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	Position     int       `bun:"position"`
	Strategy     string    `bun:"strategy"`
	FixedAgentID string    `bun:"fixed_agent_id"`
	CreatedAt    time.Time `bun:"created_at"`
}

func toGroupRow(sid string, g agent.Group) groupRow {
	return groupRow{ServiceID: sid, ID: g.ID, Name: g.Name, Position: g.Position, Strategy: string(g.Strategy),
		FixedAgentID: g.FixedAgentID, CreatedAt: g.CreatedAt}
}

func (g *groupRow) group() agent.Group {
	return agent.Group{ID: g.ID, Name: g.Name, Position: g.Position, Strategy: agent.Strategy(g.Strategy),
		FixedAgentID: g.FixedAgentID, CreatedAt: g.CreatedAt.UTC()}
}

// agentCounterRow is the service's agent_counters row: the last membership Seq;
// its row lock is the group lock.
type agentCounterRow struct {
	bun.BaseModel `bun:"table:agent_counters,alias:c"`

	ServiceID     string `bun:"service_id,pk"`
	LastMemberSeq int64  `bun:"last_member_seq"`
}

// memberRow is a row of agent_group_members.
type memberRow struct {
	bun.BaseModel `bun:"table:agent_group_members,alias:m"`

	ServiceID string    `bun:"service_id,pk"`
	GroupID   string    `bun:"group_id,pk"`
	AgentID   string    `bun:"agent_id,pk"`
	Seq       int64     `bun:"seq"`
	JoinedAt  time.Time `bun:"joined_at"`
}

type groupRepo repos

// Lock upserts the service's counter row: the update of a row that exists
// locks it until the commit, and the insert of a new one holds its key
// (a concurrent insert waits for this transaction).
func (r groupRepo) Lock(ctx context.Context) error {
	r.ahead.forgetMembers()
	_, err := r.tx.NewInsert().Model(&agentCounterRow{ServiceID: r.sid}).
		On("CONFLICT (service_id) DO UPDATE").Set("last_member_seq = c.last_member_seq").Exec(ctx)
	return mapErr(err, "group lock")
}

func (r groupRepo) Insert(ctx context.Context, g agent.Group) error {
	r.ahead.forgetMembers()
	row := toGroupRow(r.sid, g)
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	if err != nil {
		return mapErr(err, name("group", g.ID),
			key{"agent_groups_pkey", func() error { return errs.New(helpdesk.ErrConflict, "group %q exists", g.ID) }},
			key{"agent_groups_name_key", func() error { return errs.New(helpdesk.ErrConflict, "a group named %q exists", g.Name) }})
	}
	return nil
}

// getGroup is groupRepo.Get's statement, a hot one (hot.go): every
// assignment to a group reads the group.
// It reads the group's members too, in join order, which an assignment
// reads next (see readAhead).
//
// It reads the members' agents too (as JSON, by name then id, times as
// microseconds since the epoch: the JSON text of a timestamp is in the
// session's time zone, whose old offsets may hold seconds that Go cannot
// parse), which an assignment reads after the members (agentRepo.ListIn).
const getGroup = `SELECT g.name, g.position, g.strategy, g.fixed_agent_id, g.created_at,
	coalesce(array_agg(m.agent_id ORDER BY m.seq) FILTER (WHERE m.agent_id IS NOT NULL), '{}'),
	coalesce(array_agg(m.seq ORDER BY m.seq) FILTER (WHERE m.agent_id IS NOT NULL), '{}'),
	coalesce(array_agg(m.joined_at ORDER BY m.seq) FILTER (WHERE m.agent_id IS NOT NULL), '{}'),
	(SELECT coalesce(json_agg(json_build_object('id', a.id, 'account', a.account, 'name', a.name, 'email', a.email,
		'role', a.role, 'active', a.active, 'permissions', a.permissions, 'toggles', a.toggles, 'cti_id', a.cti_id,
		'extension', a.extension, 'version', a.version,
		'created_us', (extract(epoch FROM a.created_at) * 1000000)::bigint, 'updated_us', (extract(epoch FROM a.updated_at) * 1000000)::bigint)
		ORDER BY a.name COLLATE "C", a.id COLLATE "C"), '[]')
	FROM agents AS a JOIN agent_group_members AS am ON am.service_id = a.service_id AND am.agent_id = a.id
	WHERE am.service_id = $1 AND am.group_id = $2)
FROM agent_groups AS g LEFT JOIN agent_group_members AS m ON m.service_id = g.service_id AND m.group_id = g.id
WHERE g.service_id = $1 AND g.id = $2
GROUP BY g.service_id, g.id`

func (r groupRepo) Get(ctx context.Context, id string) (agent.Group, error) {
	row := groupRow{ServiceID: r.sid, ID: id}
	var agents []string
	var seqs []int64
	var joined []time.Time
	var memberAgents []byte
	err := repos(r).queryRow(ctx, getGroup, []any{r.sid, id}, &row.Name, &row.Position, &row.Strategy, &row.FixedAgentID, &row.CreatedAt,
		&agents, &seqs, &joined, &memberAgents)
	if err != nil {
		return agent.Group{}, mapErr(err, name("group", id))
	}
	as, err := jsonAgents(memberAgents)
	if err != nil {
		return agent.Group{}, fmt.Errorf("postgres: group %q: the members' agents read ahead: %w", id, err)
	}
	if len(agents) != len(seqs) || len(agents) != len(joined) {
		return agent.Group{}, fmt.Errorf("postgres: group %q: members read ahead do not line up", id)
	}
	var ms []agent.Membership
	for i := range agents {
		m := memberRow{GroupID: id, AgentID: agents[i], Seq: seqs[i], JoinedAt: joined[i]}
		ms = append(ms, m.membership())
	}
	r.ahead.setMembers(id, ms, as)
	return row.group(), nil
}

func (r groupRepo) List(ctx context.Context) ([]agent.Group, error) {
	var rows []groupRow
	err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr(`position, id COLLATE "C"`).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "groups")
	}
	out := make([]agent.Group, len(rows))
	for i := range rows {
		out[i] = rows[i].group()
	}
	return out, nil
}

// Save writes the rows in one bulk UPDATE; fewer rows updated than given
// means one was unknown.
func (r groupRepo) Save(ctx context.Context, gs []agent.Group) error {
	r.ahead.forgetMembers()
	if len(gs) == 0 {
		return nil
	}
	rows := make([]groupRow, len(gs))
	for i, g := range gs {
		rows[i] = toGroupRow(r.sid, g)
	}
	res, err := r.tx.NewUpdate().Model(&rows).Column("name", "position", "strategy", "fixed_agent_id").Bulk().Exec(ctx)
	if err != nil {
		return mapErr(err, "groups", key{"agent_groups_name_key", func() error {
			return errs.New(helpdesk.ErrConflict, "two groups would be named %q", keyValue(err, 1))
		}})
	}
	if n, _ := res.RowsAffected(); n < int64(len(rows)) {
		ids := make([]string, len(gs))
		for i, g := range gs {
			ids[i] = g.ID
		}
		return firstMissing(ctx, r.tx, "agent_groups", "group", r.sid, ids)
	}
	return nil
}

func (r groupRepo) Delete(ctx context.Context, id string) error {
	r.ahead.forgetMembers()
	res, err := r.tx.NewDelete().Model((*groupRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, name("group", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("group", id)
	}
	return nil
}

// AddMember takes the next Seq from the service's counter row (its row
// lock serialises joins; a rollback returns the number), then inserts the
// membership: the primary key refuses a second one, the foreign keys an
// unknown group or agent.
func (r groupRepo) AddMember(ctx context.Context, groupID, agentID string, at time.Time) (agent.Membership, error) {
	r.ahead.forgetMembers()
	what := fmt.Sprintf("agent %q in group %q", agentID, groupID)
	c := agentCounterRow{ServiceID: r.sid, LastMemberSeq: 1}
	err := r.tx.NewInsert().Model(&c).On("CONFLICT (service_id) DO UPDATE").Set("last_member_seq = c.last_member_seq + 1").
		Returning("last_member_seq").Scan(ctx)
	if err != nil {
		return agent.Membership{}, mapErr(err, what)
	}
	m := memberRow{ServiceID: r.sid, GroupID: groupID, AgentID: agentID, Seq: c.LastMemberSeq, JoinedAt: at}
	if _, err := r.tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return agent.Membership{}, mapErr(err, what,
			key{"agent_group_members_pkey", func() error { return errs.New(helpdesk.ErrConflict, "agent %q is in group %q", agentID, groupID) }},
			key{"agent_group_members_service_id_group_id_fkey", func() error { return errs.NotFound("group", groupID) }},
			key{"agent_group_members_service_id_agent_id_fkey", func() error { return errs.NotFound("agent", agentID) }})
	}
	return m.membership(), nil
}

func (m *memberRow) membership() agent.Membership {
	return agent.Membership{GroupID: m.GroupID, AgentID: m.AgentID, Seq: m.Seq, JoinedAt: m.JoinedAt.UTC()}
}

func (r groupRepo) RemoveMember(ctx context.Context, groupID, agentID string) error {
	r.ahead.forgetMembers()
	res, err := r.tx.NewDelete().Model((*memberRow)(nil)).
		Where("service_id = ? AND group_id = ? AND agent_id = ?", r.sid, groupID, agentID).Exec(ctx)
	if err != nil {
		return mapErr(err, name("group", groupID))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrNotFound, "agent %q in group %q", agentID, groupID)
	}
	return nil
}

// Members reads the memberships; only when there are none does a second
// read tell an empty group from an unknown one.
// listMembers is Members' statement, a hot one (hot.go): every
// assignment reads the group's members.
const listMembers = `SELECT agent_id, seq, joined_at FROM agent_group_members WHERE service_id = $1 AND group_id = $2 ORDER BY seq`

func (r groupRepo) Members(ctx context.Context, groupID string) ([]agent.Membership, error) {
	if ms, ok := r.ahead.members(groupID); ok {
		return ms, nil
	}
	var out []agent.Membership
	err := repos(r).queryRows(ctx, listMembers, []any{r.sid, groupID}, func(rows pgx.Rows) error {
		m := memberRow{GroupID: groupID}
		if err := rows.Scan(&m.AgentID, &m.Seq, &m.JoinedAt); err != nil {
			return err
		}
		out = append(out, m.membership())
		return nil
	})
	if err != nil {
		return nil, mapErr(err, name("members of group", groupID))
	}
	if len(out) == 0 {
		found, err := r.tx.NewSelect().Model((*groupRow)(nil)).Where("service_id = ? AND id = ?", r.sid, groupID).Exists(ctx)
		if err != nil {
			return nil, mapErr(err, name("group", groupID))
		}
		if !found {
			return nil, errs.NotFound("group", groupID)
		}
		return nil, nil
	}
	return out, nil
}

func (r groupRepo) GroupsOf(ctx context.Context, agentID string) ([]string, error) {
	var ids []string
	err := r.tx.NewSelect().Model((*groupRow)(nil)).Column("g.id").
		Join("JOIN agent_group_members AS m ON m.service_id = g.service_id AND m.group_id = g.id").
		Where("g.service_id = ? AND m.agent_id = ?", r.sid, agentID).
		OrderExpr(`g.position, g.id COLLATE "C"`).Scan(ctx, &ids)
	if err != nil {
		return nil, mapErr(err, name("groups of agent", agentID))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return ids, nil
}

// advanceCursor moves group $2's cursor to the next of the eligible
// member seqs $3 after it, wrapping around.
const advanceCursor = `UPDATE agent_groups AS g SET rr_cursor = COALESCE(
	(SELECT min(s) FROM unnest($3::bigint[]) AS s WHERE s > g.rr_cursor),
	(SELECT min(s) FROM unnest($3::bigint[]) AS s))
WHERE service_id = $1 AND id = $2
RETURNING rr_cursor`

// advanceCursorOrNone is advanceCursor as the transaction's last statement
// (queryRowLast): an unknown group fails it, rolling back.
const advanceCursorOrNone = `WITH u AS (` + advanceCursor + `)
SELECT rr_cursor FROM u
UNION ALL ` + noRowOf + ` u HAVING count(*) = 0`

// AdvanceCursor is agent.NextAfter in one UPDATE: the row lock it takes is
// held only from here to the commit, so concurrent assignments to the group
// queue for the shortest time and never take the same step. The lock is FOR
// NO KEY UPDATE strength, so adding members (whose foreign key takes a KEY
// SHARE lock on the group row) is not held up.
//
// The statement is a hot one (hot.go).
func (r groupRepo) AdvanceCursor(ctx context.Context, groupID string, eligible []int64) (int64, error) {
	if len(eligible) == 0 {
		if _, err := r.Get(ctx, groupID); err != nil {
			return 0, err
		}
		return 0, nil
	}
	var c int64
	err := repos(r).queryRowLast(ctx, advanceCursor, advanceCursorOrNone, []any{r.sid, groupID, eligible}, &c)
	if err != nil {
		return 0, mapErr(err, name("group", groupID))
	}
	return c, nil
}

func (r groupRepo) Cursor(ctx context.Context, groupID string) (int64, error) {
	var cur []int64
	err := r.tx.NewSelect().Model((*groupRow)(nil)).ColumnExpr("rr_cursor").Where("service_id = ? AND id = ?", r.sid, groupID).Scan(ctx, &cur)
	if err != nil {
		return 0, mapErr(err, name("group", groupID))
	}
	if len(cur) == 0 {
		return 0, errs.NotFound("group", groupID)
	}
	return cur[0], nil
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
	return mapErr(err, name("login event", e.ID))
}

// List walks (at, id) downwards; id has the "C" collation, so ties on at
// break in byte order as in the other stores.
func (r loginLog) List(ctx context.Context, f agent.LoginQuery) (agent.LoginPage, error) {
	after := f.After
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

// getMenu is menuRepo.Get's statement, a hot one (hot.go): every agent's
// ticket work and every assignment reads the ticket menu's access.
const getMenu = `SELECT partial, restricted FROM menu_access WHERE service_id = $1 AND menu = $2`

func (r menuRepo) Get(ctx context.Context, m agent.Menu) (agent.MenuAccess, error) {
	if a, ok := r.ahead.ticketMenu(); ok && m == agent.MenuTickets {
		return a, nil
	}
	var row menuRow
	err := repos(r).queryRow(ctx, getMenu, []any{r.sid, string(m)}, &row.Partial, &row.Restricted)
	if errors.Is(err, sql.ErrNoRows) {
		return agent.MenuAccess{Menu: m}, nil // never set: everybody
	}
	if err != nil {
		return agent.MenuAccess{}, mapErr(err, name("menu", string(m)))
	}
	a := agent.MenuAccess{Menu: m, Partial: row.Partial}
	if len(row.Restricted) > 0 {
		a.Restricted = row.Restricted
	}
	return a, nil
}

func (r menuRepo) Put(ctx context.Context, a agent.MenuAccess) error {
	r.ahead.forgetMenu()
	r.cache.forget(r.sid)
	row := menuRow{ServiceID: r.sid, Menu: string(a.Menu), Partial: a.Partial, Restricted: a.Restricted}
	_, err := r.tx.NewInsert().Model(&row).
		On("CONFLICT (service_id, menu) DO UPDATE").
		Set("partial = EXCLUDED.partial").Set("restricted = EXCLUDED.restricted").Exec(ctx)
	return mapErr(err, name("menu", string(a.Menu)))
}
