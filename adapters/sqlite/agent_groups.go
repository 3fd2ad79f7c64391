package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// This file holds the agent package's other ports: groups and their
// members (AGT-6), the login log (AGT-7) and menu access (AGT-8).
// Uniqueness is the database's: a taken group name is the unique index on
// the lowered name, a second membership the primary key, an unknown group
// or agent a foreign key.

// groupRow is a row of agent_groups without its round-robin cursor, which
// only AdvanceCursor reads and writes.
type groupRow struct {
	bun.BaseModel `bun:"table:agent_groups,alias:g"`

	ServiceID    string    `bun:"service_id,pk"`
	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	NameKey      string    `bun:"name_key"` // strings.ToLower(Name)
	Position     int       `bun:"position"`
	Strategy     string    `bun:"strategy"`
	FixedAgentID string    `bun:"fixed_agent_id"`
	CreatedAt    time.Time `bun:"created_at"`
}

func toGroupRow(sid string, g agent.Group) groupRow {
	return groupRow{ServiceID: sid, ID: g.ID, Name: g.Name, NameKey: strings.ToLower(g.Name), Position: g.Position,
		Strategy: string(g.Strategy), FixedAgentID: g.FixedAgentID, CreatedAt: g.CreatedAt}
}

func (g *groupRow) group() agent.Group {
	return agent.Group{ID: g.ID, Name: g.Name, Position: g.Position, Strategy: agent.Strategy(g.Strategy),
		FixedAgentID: g.FixedAgentID, CreatedAt: g.CreatedAt.UTC()}
}

// agentCounterRow is the service's agent_counters row: the last membership Seq.
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

const groupNameCols = "agent_groups.service_id, agent_groups.name_key"

func (r groupRepo) Lock(ctx context.Context) error { return repos(r).lock(ctx) }

func (r groupRepo) Insert(ctx context.Context, g agent.Group) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toGroupRow(r.sid, g)
	_, err := r.db.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("group", g.ID),
		key{"agent_groups.service_id, agent_groups.id", func() error { return errs.New(helpdesk.ErrConflict, "group %q exists", g.ID) }},
		key{groupNameCols, func() error { return errs.New(helpdesk.ErrConflict, "a group named %q exists", g.Name) }},
		key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

func (r groupRepo) Get(ctx context.Context, id string) (agent.Group, error) {
	var row groupRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return agent.Group{}, mapErr(err, name("group", id))
	}
	return row.group(), nil
}

func (r groupRepo) List(ctx context.Context) ([]agent.Group, error) {
	var rows []groupRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("position, id").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "groups")
	}
	out := make([]agent.Group, len(rows))
	for i := range rows {
		out[i] = rows[i].group()
	}
	return out, nil
}

// Save writes the rows. SQLite checks a unique index row by row, so the
// names of the rows saved are first moved out of the way (a key no name
// lowers to), then written: two groups may swap names.
func (r groupRepo) Save(ctx context.Context, gs []agent.Group) error {
	if len(gs) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	res, err := r.db.NewUpdate().Model((*groupRow)(nil)).Set("name_key = char(0) || id").
		Where("service_id = ? AND id IN (?)", r.sid, bun.List(ids)).Exec(ctx)
	if err != nil {
		return mapErr(err, "groups")
	}
	if n, _ := res.RowsAffected(); n < int64(len(slices.Compact(slices.Sorted(slices.Values(ids))))) {
		return firstMissing(ctx, r.db, "agent_groups", "group", r.sid, ids)
	}
	for _, g := range gs {
		row := toGroupRow(r.sid, g)
		_, err := r.db.NewUpdate().Model(&row).Column("name", "name_key", "position", "strategy", "fixed_agent_id").WherePK().Exec(ctx)
		if err != nil {
			return mapErr(err, "groups", key{groupNameCols, func() error {
				return errs.New(helpdesk.ErrConflict, "two groups would be named %q", row.NameKey)
			}})
		}
	}
	return nil
}

func (r groupRepo) Delete(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*groupRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, name("group", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("group", id)
	}
	return nil
}

// AddMember takes the next Seq from the service's counter row (a rollback
// returns the number), then inserts the membership: the primary key
// refuses a second one, the foreign keys an unknown group or agent.
func (r groupRepo) AddMember(ctx context.Context, groupID, agentID string, at time.Time) (agent.Membership, error) {
	if err := repos(r).lock(ctx); err != nil {
		return agent.Membership{}, err
	}
	what := fmt.Sprintf("agent %q in group %q", agentID, groupID)
	c := agentCounterRow{ServiceID: r.sid, LastMemberSeq: 1}
	err := r.db.NewInsert().Model(&c).On("CONFLICT (service_id) DO UPDATE").Set("last_member_seq = c.last_member_seq + 1").
		Returning("last_member_seq").Scan(ctx)
	if err != nil {
		return agent.Membership{}, mapErr(err, what)
	}
	m := memberRow{ServiceID: r.sid, GroupID: groupID, AgentID: agentID, Seq: c.LastMemberSeq, JoinedAt: at}
	if _, err := r.db.NewInsert().Model(&m).Exec(ctx); err != nil {
		return agent.Membership{}, mapErr(err, what,
			key{"agent_group_members.service_id, agent_group_members.group_id, agent_group_members.agent_id", func() error {
				return errs.New(helpdesk.ErrConflict, "agent %q is in group %q", agentID, groupID)
			}},
			key{foreignKey, func() error { // which one is missing?
				if _, err := r.Get(ctx, groupID); err != nil {
					return err
				}
				return errs.NotFound("agent", agentID)
			}})
	}
	return m.membership(), nil
}

func (m *memberRow) membership() agent.Membership {
	return agent.Membership{GroupID: m.GroupID, AgentID: m.AgentID, Seq: m.Seq, JoinedAt: m.JoinedAt.UTC()}
}

func (r groupRepo) RemoveMember(ctx context.Context, groupID, agentID string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*memberRow)(nil)).
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
func (r groupRepo) Members(ctx context.Context, groupID string) ([]agent.Membership, error) {
	var rows []memberRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND group_id = ?", r.sid, groupID).Order("seq").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, name("members of group", groupID))
	}
	if len(rows) == 0 {
		if _, err := r.Get(ctx, groupID); err != nil {
			return nil, err
		}
		return nil, nil
	}
	out := make([]agent.Membership, len(rows))
	for i := range rows {
		out[i] = rows[i].membership()
	}
	return out, nil
}

func (r groupRepo) GroupsOf(ctx context.Context, agentID string) ([]string, error) {
	var ids []string
	err := r.db.NewSelect().Model((*groupRow)(nil)).Column("g.id").
		Join("JOIN agent_group_members AS m ON m.service_id = g.service_id AND m.group_id = g.id").
		Where("g.service_id = ? AND m.agent_id = ?", r.sid, agentID).
		OrderExpr("g.position, g.id").Scan(ctx, &ids)
	if err != nil {
		return nil, mapErr(err, name("groups of agent", agentID))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return ids, nil
}

func (r groupRepo) Cursor(ctx context.Context, groupID string) (int64, error) {
	var cur []int64
	err := r.db.NewSelect().Model((*groupRow)(nil)).ColumnExpr("rr_cursor").Where("service_id = ? AND id = ?", r.sid, groupID).Scan(ctx, &cur)
	if err != nil {
		return 0, mapErr(err, name("group", groupID))
	}
	if len(cur) == 0 {
		return 0, errs.NotFound("group", groupID)
	}
	return cur[0], nil
}

// AdvanceCursor is agent.NextAfter on the stored cursor: the transaction
// is the writer, so concurrent assignments to the group take their steps
// one after another.
func (r groupRepo) AdvanceCursor(ctx context.Context, groupID string, eligible []int64) (int64, error) {
	if err := repos(r).lock(ctx); err != nil {
		return 0, err
	}
	cur, err := r.Cursor(ctx, groupID)
	if err != nil || len(eligible) == 0 {
		return 0, err
	}
	next := agent.NextAfter(slices.Sorted(slices.Values(eligible)), cur)
	_, err = r.db.NewUpdate().Model((*groupRow)(nil)).Set("rr_cursor = ?", next).Where("service_id = ? AND id = ?", r.sid, groupID).Exec(ctx)
	if err != nil {
		return 0, mapErr(err, name("group", groupID))
	}
	return next, nil
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := loginRow{ServiceID: r.sid, ID: e.ID, AgentID: e.AgentID, Kind: string(e.Kind), At: e.At, Address: e.Address, UserAgent: e.UserAgent}
	_, err := r.db.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("login event", e.ID), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

// List walks (at, id) downwards; ties on at break in byte order as in the
// other stores.
func (r loginLog) List(ctx context.Context, f agent.LoginQuery) (agent.LoginPage, error) {
	var rows []loginRow
	q := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if f.AgentID != "" {
		q = q.Where("agent_id = ?", f.AgentID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until)
	}
	if f.After != nil {
		q = q.Where("(at, id) < (?, ?)", f.After.At, f.After.ID)
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
	Restricted []string `bun:"restricted,type:json,nullzero"`
}

type menuRepo repos

func (r menuRepo) Get(ctx context.Context, m agent.Menu) (agent.MenuAccess, error) {
	var row menuRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND menu = ?", r.sid, string(m)).Scan(ctx)
	if noRows(err) {
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := menuRow{ServiceID: r.sid, Menu: string(a.Menu), Partial: a.Partial, Restricted: a.Restricted}
	if len(row.Restricted) == 0 {
		row.Restricted = nil
	}
	_, err := r.db.NewInsert().Model(&row).
		On("CONFLICT (service_id, menu) DO UPDATE").
		Set("partial = EXCLUDED.partial").Set("restricted = EXCLUDED.restricted").Exec(ctx)
	return mapErr(err, name("menu", string(a.Menu)), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}
