package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// rrTeam creates service "acme" on d with a round-robin group of n agents
// and returns the group id and the agents in join order.
func rrTeam(t testing.TB, d *helpdesk.Desk, n int) (string, []string) {
	ctx := context.Background()
	_, err := d.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: cfg("acme").Settings})
	require.NoError(t, err)
	sys := d.Service("acme").As(helpdesk.System)
	g, err := sys.CreateGroup(ctx, helpdesk.GroupSpec{Name: "Support", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	var ids []string
	for i := range n {
		a, err := sys.CreateAgent(ctx, agent.New{Name: fmt.Sprintf("Agent %d", i), Email: fmt.Sprintf("a%d@acme.example", i),
			Role: agent.RoleAgent, Permissions: agent.Permissions{Ticket: true}, Toggles: agent.Toggles{TicketAssignment: true},
			GroupIDs: []string{g.ID}})
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	return g.ID, ids
}

// testRoundRobinFairness: 1,000 concurrent assignments over 7 agents of one
// round-robin group give every agent 142 or 143 (TRG-6.1, AGT-6).
func testRoundRobinFairness(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	group, ids := rrTeam(t, d, 7)
	sys := d.Service("acme").As(helpdesk.System)
	const total, workers = 1000, 16
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < total; i += workers {
				id, err := sys.NextAssignee(ctx, group)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				counts[id]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, counts, 7)
	sum := 0
	for _, id := range ids {
		n := counts[id]
		sum += n
		assert.True(t, n == 142 || n == 143, "agent %s got %d", id, n)
	}
	assert.Equal(t, total, sum)
}

// BenchRoundRobin measures NextAssignee on a round-robin group of 7 agents
// with 8 concurrent callers.
func BenchRoundRobin(b *testing.B, s helpdesk.Store) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(b, err)
	group, _ := rrTeam(b, d, 7)
	sys := d.Service("acme").As(helpdesk.System)
	b.ReportAllocs()
	b.SetParallelism(ParallelCallers(8))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := sys.NextAssignee(ctx, group); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assignments/s")
}
