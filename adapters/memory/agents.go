package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/page"
)

// agentState is a tenant's agents, groups, login log and menu access. Every
// value is stored by value (agents, groups and memberships hold no slices
// or maps; menu access clones its Restricted list), so nothing a caller
// passes in or gets back aliases what is stored.
type agentState struct {
	agents    map[string]agent.Agent
	groups    map[string]*groupRow
	memberSeq int64 // last Membership.Seq handed out

	logins []agent.LoginEvent // in insertion order
	menus  map[agent.Menu]agent.MenuAccess
}

type groupRow struct {
	g       agent.Group
	members []agent.Membership // join order
	cursor  int64
}

func newAgentState() agentState {
	return agentState{agents: map[string]agent.Agent{}, groups: map[string]*groupRow{}, menus: map[agent.Menu]agent.MenuAccess{}}
}

// agentRepo keeps the unique keys Postgres has as indexes: id, lower(email)
// and a non-empty account.
type agentRepo struct{ tx *txn }

// taken returns an error matching ErrConflict when another agent than a
// holds a's email (case-insensitive) or non-empty account.
func (r agentRepo) taken(a agent.Agent) error {
	email := strings.ToLower(a.Email)
	for _, o := range r.tx.t.ag.agents {
		switch {
		case o.ID == a.ID:
		case strings.ToLower(o.Email) == email:
			return errs.New(helpdesk.ErrConflict, "an agent with email %q exists", a.Email)
		case a.Account != "" && o.Account == a.Account:
			return errs.New(helpdesk.ErrConflict, "an agent with account %q exists", a.Account)
		}
	}
	return nil
}

func (r agentRepo) Create(ctx context.Context, a agent.Agent) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	t := &r.tx.t.ag
	if _, ok := t.agents[a.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "agent %q exists", a.ID)
	}
	if err := r.taken(a); err != nil {
		return err
	}
	t.agents[a.ID] = a
	r.tx.onUndo(func() { delete(t.agents, a.ID) })
	return nil
}

// Lock is a check of the transaction: a service's transactions run one at
// a time already.
func (r agentRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }

func (r agentRepo) Get(ctx context.Context, id string) (agent.Agent, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.Agent{}, err
	}
	a, ok := r.tx.t.ag.agents[id]
	if !ok {
		return agent.Agent{}, errs.NotFound("agent", id)
	}
	return a, nil
}

func (r agentRepo) List(ctx context.Context) ([]agent.Agent, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]agent.Agent, 0, len(r.tx.t.ag.agents))
	for _, a := range r.tx.t.ag.agents {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b agent.Agent) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

func (r agentRepo) ListIn(ctx context.Context, ids []string) ([]agent.Agent, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]agent.Agent, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if a, ok := r.tx.t.ag.agents[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b agent.Agent) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

func (r agentRepo) Update(ctx context.Context, a *agent.Agent) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := &r.tx.t.ag
	old, ok := t.agents[a.ID]
	if !ok {
		return errs.NotFound("agent", a.ID)
	}
	if old.Version != a.Version {
		return errs.New(helpdesk.ErrConflict, "agent %q is at version %d, not %d", a.ID, old.Version, a.Version)
	}
	if err := r.taken(*a); err != nil {
		return err
	}
	a.Version++
	t.agents[a.ID] = *a
	r.tx.onUndo(func() { t.agents[old.ID] = old })
	return nil
}

// groupRepo keeps the unique keys Postgres has: the group id, lower(name)
// and the membership (group, agent); AddMember and Save refuse unknown
// groups and agents as the foreign keys do.
type groupRepo struct{ tx *txn }

func (r groupRepo) row(id string) (*groupRow, error) {
	g, ok := r.tx.t.ag.groups[id]
	if !ok {
		return nil, errs.NotFound("group", id)
	}
	return g, nil
}

// Lock needs nothing here: the service's transactions run one at a time.
func (r groupRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }

func (r groupRepo) Insert(ctx context.Context, g agent.Group) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	t := &r.tx.t.ag
	if _, ok := t.groups[g.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "group %q exists", g.ID)
	}
	name := strings.ToLower(g.Name) // as Postgres's lower(name) index
	for _, o := range t.groups {
		if strings.ToLower(o.g.Name) == name {
			return errs.New(helpdesk.ErrConflict, "a group named %q exists", g.Name)
		}
	}
	t.groups[g.ID] = &groupRow{g: g}
	r.tx.onUndo(func() { delete(t.groups, g.ID) })
	return nil
}

func (r groupRepo) Get(ctx context.Context, id string) (agent.Group, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.Group{}, err
	}
	g, err := r.row(id)
	if err != nil {
		return agent.Group{}, err
	}
	return g.g, nil
}

func (r groupRepo) List(ctx context.Context) ([]agent.Group, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return r.list(), nil
}

func (r groupRepo) list() []agent.Group {
	out := make([]agent.Group, 0, len(r.tx.t.ag.groups))
	for _, g := range r.tx.t.ag.groups {
		out = append(out, g.g)
	}
	slices.SortFunc(out, func(a, b agent.Group) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Save checks every row (known, names unique once all are written) before
// it writes any, so a refused Save writes nothing.
func (r groupRepo) Save(ctx context.Context, gs []agent.Group) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := &r.tx.t.ag
	names := make(map[string]string, len(t.groups)) // id → lower-cased name after the save
	for id, row := range t.groups {
		names[id] = strings.ToLower(row.g.Name)
	}
	for _, g := range gs {
		if _, err := r.row(g.ID); err != nil {
			return err
		}
		names[g.ID] = strings.ToLower(g.Name)
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return errs.New(helpdesk.ErrConflict, "two groups would be named %q", n)
		}
		seen[n] = true
	}
	for _, g := range gs {
		row := t.groups[g.ID]
		old := row.g
		row.g.Name, row.g.Position, row.g.Strategy, row.g.FixedAgentID = g.Name, g.Position, g.Strategy, g.FixedAgentID
		r.tx.onUndo(func() { row.g = old })
	}
	return nil
}

func (r groupRepo) Delete(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	row, err := r.row(id)
	if err != nil {
		return err
	}
	t := &r.tx.t.ag
	delete(t.groups, id)
	r.tx.onUndo(func() { t.groups[id] = row })
	return nil
}

func (r groupRepo) AddMember(ctx context.Context, groupID, agentID string, at time.Time) (agent.Membership, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.Membership{}, err
	}
	row, err := r.row(groupID)
	if err != nil {
		return agent.Membership{}, err
	}
	t := &r.tx.t.ag
	if _, ok := t.agents[agentID]; !ok {
		return agent.Membership{}, errs.NotFound("agent", agentID)
	}
	if slices.ContainsFunc(row.members, func(m agent.Membership) bool { return m.AgentID == agentID }) {
		return agent.Membership{}, errs.New(helpdesk.ErrConflict, "agent %q is in group %q", agentID, groupID)
	}
	t.memberSeq++
	m := agent.Membership{GroupID: groupID, AgentID: agentID, Seq: t.memberSeq, JoinedAt: at}
	old := row.members
	row.members = append(slices.Clip(old), m)
	r.tx.onUndo(func() {
		row.members = old
		t.memberSeq--
	})
	return m, nil
}

func (r groupRepo) RemoveMember(ctx context.Context, groupID, agentID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	row, err := r.row(groupID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(row.members, func(m agent.Membership) bool { return m.AgentID == agentID })
	if i < 0 {
		return errs.New(helpdesk.ErrNotFound, "agent %q in group %q", agentID, groupID)
	}
	old := row.members
	row.members = slices.Delete(slices.Clone(old), i, i+1)
	r.tx.onUndo(func() { row.members = old })
	return nil
}

func (r groupRepo) Members(ctx context.Context, groupID string) ([]agent.Membership, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	row, err := r.row(groupID)
	if err != nil {
		return nil, err
	}
	return slices.Clone(row.members), nil
}

func (r groupRepo) GroupsOf(ctx context.Context, agentID string) ([]string, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	var out []string
	for _, g := range r.list() {
		if slices.ContainsFunc(r.tx.t.ag.groups[g.ID].members, func(m agent.Membership) bool { return m.AgentID == agentID }) {
			out = append(out, g.ID)
		}
	}
	return out, nil
}

// AdvanceCursor needs no lock here: the service's transactions run one at a
// time.
func (r groupRepo) AdvanceCursor(ctx context.Context, groupID string, eligible []int64) (int64, error) {
	if err := r.tx.check(ctx); err != nil {
		return 0, err
	}
	row, err := r.row(groupID)
	if err != nil {
		return 0, err
	}
	next := agent.NextAfter(eligible, row.cursor)
	if next == 0 {
		return 0, nil
	}
	old := row.cursor
	row.cursor = next
	r.tx.onUndo(func() { row.cursor = old })
	return next, nil
}

func (r groupRepo) Cursor(ctx context.Context, groupID string) (int64, error) {
	if err := r.tx.check(ctx); err != nil {
		return 0, err
	}
	row, err := r.row(groupID)
	if err != nil {
		return 0, err
	}
	return row.cursor, nil
}

type loginLog struct{ tx *txn }

func (r loginLog) Add(ctx context.Context, e agent.LoginEvent) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	t := &r.tx.t.ag
	t.logins = append(t.logins, e)
	r.tx.onUndo(func() { t.logins = t.logins[:len(t.logins)-1] })
	return nil
}

func (r loginLog) List(ctx context.Context, f agent.LoginQuery) (agent.LoginPage, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.LoginPage{}, err
	}
	after := f.After
	var all []agent.LoginEvent
	for _, e := range r.tx.t.ag.logins {
		if f.Matches(e) && (after == nil || agent.LoginBefore(e, *after)) {
			all = append(all, e)
		}
	}
	var p agent.LoginPage
	p.Events, p.Next = page.Take(all, f.Limit, func(e agent.LoginEvent) (time.Time, string) { return e.At, e.ID })
	return p, nil
}

type menuRepo struct{ tx *txn }

func (r menuRepo) Get(ctx context.Context, m agent.Menu) (agent.MenuAccess, error) {
	if err := r.tx.check(ctx); err != nil {
		return agent.MenuAccess{}, err
	}
	a, ok := r.tx.t.ag.menus[m]
	if !ok {
		return agent.MenuAccess{Menu: m}, nil
	}
	a.Restricted = slices.Clone(a.Restricted)
	return a, nil
}

func (r menuRepo) Put(ctx context.Context, a agent.MenuAccess) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	t := &r.tx.t.ag
	old, had := t.menus[a.Menu]
	a.Restricted = slices.Clone(a.Restricted)
	if len(a.Restricted) == 0 {
		a.Restricted = nil
	}
	t.menus[a.Menu] = a
	r.tx.onUndo(func() {
		if had {
			t.menus[a.Menu] = old
		} else {
			delete(t.menus, a.Menu)
		}
	})
	return nil
}
