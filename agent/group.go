package agent

import (
	"context"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
)

// Strategy is how a group picks the assignee of a ticket sent to it
// (TRG-6.1).
type Strategy string

// The strategies.
const (
	// StrategyNone leaves the ticket with the group, unassigned.
	StrategyNone Strategy = "none"
	// StrategyRandom picks any eligible member.
	StrategyRandom Strategy = "random"
	// StrategyRoundRobin picks members in join order, continuing after the
	// last one picked; the cursor is stored, so it survives restarts and is
	// fair under concurrency.
	StrategyRoundRobin Strategy = "round_robin"
	// StrategyFixed always picks Group.FixedAgentID (when eligible).
	StrategyFixed Strategy = "fixed"
)

// Valid reports whether s is a known strategy.
func (s Strategy) Valid() bool {
	switch s {
	case StrategyNone, StrategyRandom, StrategyRoundRobin, StrategyFixed:
		return true
	}
	return false
}

// Group is a set of agents used for assignment and notifications (AGT-6).
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Position orders groups where they are offered (forwarding): 0, 1,
	// 2 ... without gaps.
	Position     int       `json:"position"`
	Strategy     Strategy  `json:"strategy"`
	FixedAgentID string    `json:"fixed_agent_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Membership is one agent in one group. Seq orders members by join time: it
// increases with every join in the service and is never reused.
type Membership struct {
	GroupID  string    `json:"group_id"`
	AgentID  string    `json:"agent_id"`
	Seq      int64     `json:"seq"`
	JoinedAt time.Time `json:"joined_at"`
}

// GroupRepository stores one service's groups and memberships. It
// persists, reads and locks; it makes no rule checks: display positions are
// computed by the caller (Reorder, Renumber) under Lock and handed over as
// plain values. It returns stored rows, ErrNotFound, ErrConflict (a taken
// key: a group id, a group name case-insensitively, a membership) and
// wrapped driver errors. A refused write is for the caller to return, never
// to commit past: on Postgres a taken key or a foreign key aborts the
// transaction, and a Save refused for an unknown group may have written the
// other rows.
type GroupRepository interface {
	// Lock takes the service's group lock until the transaction ends, so
	// that the positions a caller computes from List cannot be raced by
	// another writer of the same service.
	Lock(ctx context.Context) error
	// Insert stores g as given; a taken id or name (case-insensitive) is
	// ErrConflict.
	Insert(ctx context.Context, g Group) error
	// Get returns the group with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Group, error)
	// List returns every group by Position, then id (byte order).
	List(ctx context.Context) ([]Group, error)
	// Save stores the name, position, strategy and fixed agent of every
	// group of gs (not CreatedAt); ErrNotFound if one is unknown,
	// ErrConflict if a name (case-insensitive) is taken.
	Save(ctx context.Context, gs []Group) error
	// Delete removes a group and its memberships; ErrNotFound if unknown.
	Delete(ctx context.Context, id string) error

	// AddMember appends agentID to the group's join order: the store
	// allocates Seq from the service's join counter (increasing, never
	// reused; a rolled-back join gives its number back). ErrConflict if
	// already a member, ErrNotFound if the group or agent is unknown.
	AddMember(ctx context.Context, groupID, agentID string, at time.Time) (Membership, error)
	// RemoveMember removes agentID from the group; ErrNotFound if not a
	// member.
	RemoveMember(ctx context.Context, groupID, agentID string) error
	// Members returns the group's memberships in join order; ErrNotFound
	// if the group is unknown.
	Members(ctx context.Context, groupID string) ([]Membership, error)
	// GroupsOf returns the ids of the groups agentID belongs to, by group
	// Position, then id.
	GroupsOf(ctx context.Context, agentID string) ([]string, error)

	// AdvanceCursor moves the group's round-robin cursor atomically to
	// NextAfter(eligible, cursor) and returns it. eligible are the join Seqs
	// of the members who may be picked, ascending. With no eligible member
	// it returns 0 and leaves the cursor alone; ErrNotFound if the group is
	// unknown. The cursor starts at 0, is stored (it survives restarts) and
	// rolls back with its transaction; concurrent advances never hand out
	// the same step twice.
	AdvanceCursor(ctx context.Context, groupID string, eligible []int64) (int64, error)
	// Cursor returns the group's round-robin cursor (0 until the first
	// advance) without moving it; ErrNotFound if the group is unknown.
	Cursor(ctx context.Context, groupID string) (int64, error)
}

// NextPosition is the Position of a group added after groups (AGT-6): the
// positions of a service's groups are 0, 1, 2 ... without gaps, so a new
// group goes last.
func NextPosition(groups []Group) int { return len(groups) }

// CheckReorder checks that ids name every group of groups exactly once
// (AGT-6); otherwise it returns a *ValidationError on "ids" (ErrInvalid).
func CheckReorder(groups []Group, ids []string) error {
	var c errs.Collector
	known := make(map[string]bool, len(groups))
	for _, g := range groups {
		known[g.ID] = true
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		switch {
		case !known[id]:
			c.Add("ids", "no group %q in this service", id)
		case seen[id]:
			c.Add("ids", "group %q is listed twice", id)
		}
		seen[id] = true
	}
	for _, g := range groups {
		if !seen[g.ID] {
			c.Add("ids", "group %q is not listed; list every group once", g.ID)
		}
	}
	return c.Err()
}

// Reorder returns the groups whose Position changes when the display order
// becomes ids, with their new Position; ids must pass CheckReorder.
func Reorder(groups []Group, ids []string) []Group {
	byID := make(map[string]Group, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
	}
	ordered := make([]Group, 0, len(ids))
	for _, id := range ids {
		ordered = append(ordered, byID[id])
	}
	return Renumber(ordered)
}

// Renumber gives the groups, in the order given, the Positions 0, 1, 2 ...
// and returns those whose Position changed (AGT-6: no gaps, e.g. after a
// group is deleted).
func Renumber(ordered []Group) []Group {
	var changed []Group
	for i, g := range ordered {
		if g.Position != i {
			g.Position = i
			changed = append(changed, g)
		}
	}
	return changed
}
