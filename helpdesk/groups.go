package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// NewGroup is what a caller supplies to create a group, or to replace its
// definition (AGT-6).
type NewGroup struct {
	Name string
	// Strategy picks the assignee of tickets sent to the group; default
	// none.
	Strategy agent.Strategy
	// FixedAgentID is the assignee of the fixed strategy.
	FixedAgentID string
}

// check validates g against the service's agents.
func (g *NewGroup) check(ctx context.Context, o *op) error {
	var c errs.Collector
	g.Name = strings.TrimSpace(g.Name)
	text.Check(&c, "name", g.Name, true, text.NameBytes)
	if g.Strategy == "" {
		g.Strategy = agent.StrategyNone
	}
	if !g.Strategy.Valid() {
		c.Add("strategy", "unknown strategy %q", g.Strategy)
	}
	switch {
	case g.Strategy == agent.StrategyFixed && g.FixedAgentID == "":
		c.Add("fixed_agent_id", "the fixed strategy needs an agent")
	case g.Strategy != agent.StrategyFixed && g.FixedAgentID != "":
		c.Add("fixed_agent_id", "only the fixed strategy takes an agent")
	case g.FixedAgentID != "":
		if _, err := o.r.Agents().Get(ctx, g.FixedAgentID); errors.Is(err, ErrNotFound) {
			c.Add("fixed_agent_id", "no agent %q in this service", g.FixedAgentID)
		} else if err != nil {
			return err
		}
	}
	return c.Err()
}

// Create adds a group at the end of the display order (admin). A name
// already used (case-insensitive) is ErrConflict.
func (h Groups) Create(ctx context.Context, g NewGroup) (agent.Group, error) {
	var out agent.Group
	err := h.s.run(ctx, "Groups.Create", permSettings, func(o *op) error {
		if err := g.check(ctx, o); err != nil {
			return err
		}
		gs, err := lockGroups(ctx, o)
		if err != nil {
			return err
		}
		out = agent.Group{ID: h.s.desk.newID(), Name: g.Name, Position: agent.NextPosition(gs), Strategy: g.Strategy,
			FixedAgentID: g.FixedAgentID, CreatedAt: o.now}
		return o.r.Groups().Insert(ctx, out)
	})
	return out, err
}

// lockGroups takes the service's group lock and returns the groups in
// display order: positions computed from them hold until the commit.
func lockGroups(ctx context.Context, o *op) ([]agent.Group, error) {
	if err := o.r.Groups().Lock(ctx); err != nil {
		return nil, err
	}
	return o.r.Groups().List(ctx)
}

// Update renames a group or changes its strategy (admin). A name
// another group uses (case-insensitive) is ErrConflict.
func (h Groups) Update(ctx context.Context, id string, g NewGroup) (agent.Group, error) {
	if err := checkID("group", id); err != nil {
		return agent.Group{}, err
	}
	var out agent.Group
	err := h.s.run(ctx, "Groups.Update", permSettings, func(o *op) error {
		if err := o.r.Groups().Lock(ctx); err != nil {
			return err
		}
		cur, err := o.r.Groups().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := g.check(ctx, o); err != nil {
			return err
		}
		cur.Name, cur.Strategy, cur.FixedAgentID = g.Name, g.Strategy, g.FixedAgentID
		out = cur
		return o.r.Groups().Save(ctx, []agent.Group{cur})
	})
	return out, err
}

// Reorder sets the order groups are shown in (AGT-6; admin): ids
// must list every group once (else a *ValidationError on "ids").
func (h Groups) Reorder(ctx context.Context, ids []string) error {
	return h.s.run(ctx, "Groups.Reorder", permSettings, func(o *op) error {
		gs, err := lockGroups(ctx, o)
		if err != nil {
			return err
		}
		if err := agent.CheckReorder(gs, ids); err != nil {
			return err
		}
		if changed := agent.Reorder(gs, ids); len(changed) > 0 {
			return o.r.Groups().Save(ctx, changed)
		}
		return nil
	})
}

// Delete removes a group and its memberships (admin); the groups
// after it move up one place. Tickets keep the group id they had.
func (h Groups) Delete(ctx context.Context, id string) error {
	if err := checkID("group", id); err != nil {
		return err
	}
	return h.s.run(ctx, "Groups.Delete", permSettings, func(o *op) error {
		gs, err := lockGroups(ctx, o)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(gs, func(g agent.Group) bool { return g.ID == id })
		if i < 0 {
			return errs.NotFound("group", id)
		}
		if err := o.r.Groups().Delete(ctx, id); err != nil {
			return err
		}
		if changed := agent.Renumber(slices.Delete(gs, i, i+1)); len(changed) > 0 {
			return o.r.Groups().Save(ctx, changed)
		}
		return nil
	})
}

// AddMember appends an agent to a group's join order (admin).
func (h Groups) AddMember(ctx context.Context, groupID, agentID string) (agent.Membership, error) {
	var out agent.Membership
	err := h.s.run(ctx, "Groups.AddMember", permSettings, func(o *op) (err error) {
		out, err = o.r.Groups().AddMember(ctx, groupID, agentID, o.now)
		return err
	})
	return out, err
}

// RemoveMember takes an agent out of a group (admin).
func (h Groups) RemoveMember(ctx context.Context, groupID, agentID string) error {
	return h.s.run(ctx, "Groups.RemoveMember", permSettings, func(o *op) error { return o.r.Groups().RemoveMember(ctx, groupID, agentID) })
}

// List lists the service's groups in display order.
func (h Groups) List(ctx context.Context) ([]agent.Group, error) {
	var out []agent.Group
	err := h.s.run(ctx, "Groups.List", permRead, func(o *op) (err error) {
		out, err = o.r.Groups().List(ctx)
		return err
	})
	return out, err
}

// Members lists a group's members in join order.
func (h Groups) Members(ctx context.Context, groupID string) ([]agent.Membership, error) {
	if err := checkID("group", groupID); err != nil {
		return nil, err
	}
	var out []agent.Membership
	err := h.s.run(ctx, "Groups.Members", permRead, func(o *op) (err error) {
		out, err = o.r.Groups().Members(ctx, groupID)
		return err
	})
	return out, err
}

// OfAgent lists the groups an agent belongs to, in display order.
func (h Groups) OfAgent(ctx context.Context, agentID string) ([]string, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	var out []string
	err := h.s.run(ctx, "Groups.OfAgent", permRead, func(o *op) error {
		if _, err := o.r.Agents().Get(ctx, agentID); err != nil {
			return err
		}
		var err error
		out, err = o.r.Groups().GroupsOf(ctx, agentID)
		return err
	})
	return out, err
}

// NextAssignee picks, by the group's strategy, the agent the next item sent
// to the group goes to, and records the pick (the round-robin cursor). An
// empty id means nobody was picked: the group's strategy is none, or no
// member is eligible (see Tickets.Forward for who is); the item stays with the
// group. It is what forwarding and triggers use; hosts can use it to route
// their own work (chats, callbacks).
func (h Groups) NextAssignee(ctx context.Context, groupID string) (string, error) {
	if err := checkID("group", groupID); err != nil {
		return "", err
	}
	var out string
	err := h.s.run(ctx, "Groups.NextAssignee", permTicketWork, func(o *op) (err error) {
		out, _, err = h.s.pick(ctx, o, groupID, true) // the call's last step: the cursor goes with COMMIT
		return err
	})
	return out, err
}

// pick runs the group's strategy inside the caller's transaction; see
// pickBy.
func (s *Session) pick(ctx context.Context, o *op, groupID string, last bool) (id, why string, err error) {
	g, err := o.r.Groups().Get(ctx, groupID)
	if err != nil {
		return "", "", err
	}
	return s.pickBy(ctx, o, g, g.Strategy, g.FixedAgentID, last)
}

// pickBy picks a member of group g by strategy (fixed: agent fixed when
// eligible), as pick does with the group's own strategy; trigger
// assignments name their method (TRG-6.1). Members who cannot be given
// tickets (inactive, assignment off, no ticket permission, restricted from
// ticket management) are skipped. When a strategy finds nobody, why says
// so in a sentence for the ticket's history; the strategy none picks
// nobody and says nothing. last says the caller runs nothing after it in
// the transaction: the cursor's advance is then the transaction's last
// write, and the group's row is locked only for its round trip.
func (s *Session) pickBy(ctx context.Context, o *op, g agent.Group, strategy agent.Strategy, fixed string, last bool) (id, why string, err error) {
	if strategy == agent.StrategyNone || strategy == "" {
		return "", "", nil
	}
	ms, err := o.r.Groups().Members(ctx, g.ID)
	if err != nil {
		return "", "", err
	}
	all, err := o.r.Agents().ListIn(ctx, memberIDs(ms)) // one read, not one per member
	if err != nil {
		return "", "", err
	}
	menu, err := o.r.Menus().Get(ctx, agent.MenuTickets)
	if err != nil {
		return "", "", err
	}
	byID := make(map[string]*agent.Agent, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	cands := make([]agent.Candidate, len(ms))
	whys := make([]string, len(ms))
	for i, m := range ms {
		whys[i] = "is not an agent of this service"
		if a := byID[m.AgentID]; a != nil {
			whys[i] = ineligible(*a, menu)
		}
		cands[i] = agent.Candidate{AgentID: m.AgentID, Seq: m.Seq, Eligible: whys[i] == ""}
	}
	nobody := func() (string, string, error) { return "", unassignable(g, strategy, fixed, cands, whys), nil }
	if strategy != agent.StrategyRoundRobin {
		id, _, ok := agent.Pick(strategy, fixed, cands, 0, nil)
		if !ok {
			return nobody()
		}
		return id, "", nil
	}
	// Round robin: the store advances the cursor in one atomic step, so
	// the group is locked only from that step to the commit.
	var eligible []int64
	for _, c := range cands {
		if c.Eligible {
			eligible = append(eligible, c.Seq)
		}
	}
	if last {
		o.last()
	}
	seq, err := o.r.Groups().AdvanceCursor(ctx, g.ID, eligible)
	if err != nil {
		return "", "", err
	}
	if seq == 0 {
		return nobody()
	}
	for _, c := range cands {
		if c.Seq == seq {
			return c.AgentID, "", nil
		}
	}
	return "", "", fmt.Errorf("group %s: cursor moved to %d, not an eligible member", g.ID, seq)
}

// memberIDs returns the agent ids of ms.
func memberIDs(ms []agent.Membership) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.AgentID
	}
	return ids
}

// maxNamed is how many members an unassignable reason names.
const maxNamed = 5

// unassignable says why strategy found nobody in group g, whose members
// (in join order) cannot be given tickets for whys.
func unassignable(g agent.Group, strategy agent.Strategy, fixed string, members []agent.Candidate, whys []string) string {
	if strategy == agent.StrategyFixed {
		i := slices.IndexFunc(members, func(c agent.Candidate) bool { return c.AgentID == fixed })
		if i < 0 {
			return fmt.Sprintf("agent %q is not a member of group %q", fixed, g.Name)
		}
		return fmt.Sprintf("agent %q of group %q %s", fixed, g.Name, whys[i])
	}
	if len(members) == 0 {
		return fmt.Sprintf("group %q has no members", g.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no member of group %q can be assigned: ", g.Name)
	for i, m := range members[:min(len(members), maxNamed)] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "agent %q %s", m.AgentID, whys[i])
	}
	if n := len(members) - maxNamed; n > 0 {
		fmt.Fprintf(&b, "; and %d more", n)
	}
	return b.String()
}
