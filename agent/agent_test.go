package agent_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/internal/errs"
)

func cands(eligible ...bool) []agent.Candidate {
	out := make([]agent.Candidate, len(eligible))
	for i, e := range eligible {
		out[i] = agent.Candidate{AgentID: string(rune('a' + i)), Seq: int64(10 * (i + 1)), Eligible: e}
	}
	return out
}

func TestPick_TRG61(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name     string
		s        agent.Strategy
		fixed    string
		members  []agent.Candidate
		cursor   int64
		want     string
		wantNext int64
		ok       bool
	}{
		{"rr first pick", agent.StrategyRoundRobin, "", cands(true, true, true), 0, "a", 10, true},
		{"rr continues after cursor", agent.StrategyRoundRobin, "", cands(true, true, true), 10, "b", 20, true},
		{"rr wraps", agent.StrategyRoundRobin, "", cands(true, true, true), 30, "a", 10, true},
		{"rr skips ineligible", agent.StrategyRoundRobin, "", cands(true, false, true), 10, "c", 30, true},
		{"rr cursor of a member who left", agent.StrategyRoundRobin, "", cands(true, true, true), 15, "b", 20, true},
		{"rr nobody eligible", agent.StrategyRoundRobin, "", cands(false, false), 10, "", 10, false},
		{"rr empty group", agent.StrategyRoundRobin, "", nil, 0, "", 0, false},
		{"fixed", agent.StrategyFixed, "b", cands(true, true), 7, "b", 7, true},
		{"fixed ineligible", agent.StrategyFixed, "b", cands(true, false), 7, "", 7, false},
		{"fixed not a member", agent.StrategyFixed, "z", cands(true), 0, "", 0, false},
		{"random single eligible", agent.StrategyRandom, "", cands(false, true, false), 3, "b", 3, true},
		{"random nobody", agent.StrategyRandom, "", cands(false), 3, "", 3, false},
		{"none", agent.StrategyNone, "", cands(true), 0, "", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, next, ok := agent.Pick(c.s, c.fixed, c.members, c.cursor, rnd)
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, id)
			assert.Equal(t, c.wantNext, next)
		})
	}
	// random spreads over every eligible member, with or without a source
	for _, r := range []*rand.Rand{rnd, nil} {
		seen := map[string]bool{}
		for range 100 {
			id, _, _ := agent.Pick(agent.StrategyRandom, "", cands(true, false, true), 0, r)
			seen[id] = true
		}
		assert.Equal(t, map[string]bool{"a": true, "c": true}, seen)
	}
}

func TestMenuAccess_Allows(t *testing.T) {
	assert.True(t, agent.MenuAccess{Menu: agent.MenuTickets}.Allows("x"))
	m := agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{"x"}}
	assert.False(t, m.Allows("x"))
	assert.True(t, m.Allows("y"))
	assert.True(t, agent.MenuTickets.Valid())
	assert.False(t, agent.Menu("admin").Valid())
	assert.True(t, agent.StrategyRoundRobin.Valid())
	assert.False(t, agent.Strategy("lottery").Valid())
}

func TestLoginCursor(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 123000, time.UTC)
	e := agent.LoginEvent{ID: "e|1", At: at}
	q, err := agent.LoginFilter{Cursor: agent.EncodeLoginCursor(e)}.Query()
	require.NoError(t, err)
	after := q.After
	assert.Equal(t, 50, q.Limit)
	assert.Equal(t, "e|1", after.ID)
	assert.True(t, after.At.Equal(at))
	assert.True(t, agent.LoginBefore(agent.LoginEvent{ID: "e|0", At: at}, *after))
	assert.False(t, agent.LoginBefore(agent.LoginEvent{ID: "e|2", At: at}, *after))
	assert.True(t, agent.LoginBefore(agent.LoginEvent{ID: "z", At: at.Add(-time.Microsecond)}, *after))
}

func FuzzLoginCursor(f *testing.F) {
	f.Add(agent.EncodeLoginCursor(agent.LoginEvent{ID: "x", At: time.Unix(1, 0)}))
	f.Add("")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := agent.LoginFilter{Cursor: s}.Query()
		after := q.After
		if err == nil && s != "" {
			again, err := agent.LoginFilter{Cursor: agent.EncodeLoginCursor(*after)}.Query()
			require.NoError(t, err)
			back := again.After
			assert.Equal(t, after.ID, back.ID)
			assert.True(t, after.At.Equal(back.At))
		}
	})
}

// TestLoginFilter_AGT7_Refused: a bad page size, cursor or period is a
// *ValidationError naming each bad field, before any store is asked.
func TestLoginFilter_AGT7_Refused(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	_, err := agent.LoginFilter{Cursor: "not a cursor!", Limit: 501}.Query()
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("cursor") && ve.Has("limit"), "%v", err)
	_, err = agent.LoginFilter{Since: at, Until: at}.Query()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("until"), "%v", err)
}

// The defaults of a new agent (AGT-2, AGT-3, AGT-5): an agent works and
// forwards tickets and is assigned them; an admin holds everything and
// controls their own toggles; an unknown role gets nothing; an empty role
// is valid (it means RoleAgent).
func TestDefaults_AGT2_AGT5(t *testing.T) {
	assert.Equal(t, agent.Permissions{Ticket: true, Chat: true, Phone: true, Forward: true}, agent.DefaultPermissions(agent.RoleAgent))
	assert.Equal(t, agent.Permissions{Ticket: true, Chat: true, Phone: true, Forward: true, ViewLogs: true, Export: true},
		agent.DefaultPermissions(agent.RoleAdmin))
	assert.Equal(t, agent.Permissions{}, agent.DefaultPermissions("boss"))
	assert.Equal(t, agent.Toggles{TicketAssignment: true, ChatAssignment: true}, agent.DefaultToggles(agent.RoleAgent))
	assert.Equal(t, agent.Toggles{TicketAssignment: true, ChatAssignment: true, AssignmentControl: true}, agent.DefaultToggles(agent.RoleAdmin))
	assert.Equal(t, agent.Toggles{}, agent.DefaultToggles("boss"))
	assert.NoError(t, agent.New{Name: "Kim", Email: "kim@acme.example"}.Validate())
}
