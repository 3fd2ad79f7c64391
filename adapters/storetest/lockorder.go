package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// testMixedWorkflows runs 8 goroutines of mixed workflows on one service —
// ticket creation (triggers fire: round robin, priority, an outbox
// message), agent and customer replies, tag updates with the caller's
// version, trigger and category reorders, category creation, template
// edits, forbidden-word writes, assignment — a few hundred operations each.
// Every workflow takes its locks in the order written in helpdesk.Store's
// doc, so none may fail with a deadlock (or any other error but the
// documented stale-version conflict of Tickets.Update, which the caller
// retries), and nothing is lost: the ticket numbers have no gap, every
// reply and every tag is there, the positions are gap-free permutations,
// and round robin stayed fair.
func testMixedWorkflows(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	svc := newID()
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: svc, Settings: cfg(svc).Settings})
	require.NoError(t, err)
	group, agents := rrTeam(t, d, svc, 3)
	acme := d.Service(svc)
	sys := acme.As(helpdesk.System)
	admin, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@acme.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	asAdmin := acme.As(helpdesk.AgentID(admin.ID))
	asAgent := acme.As(helpdesk.AgentID(agents[0]))

	var triggerIDs []string
	for i := range 4 {
		tr, err := asAdmin.Triggers().Create(ctx, trigger.New{
			Name: fmt.Sprintf("rule %d", i),
			All:  []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
			Actions: []trigger.Action{
				{Kind: trigger.AddTags, Tags: []string{fmt.Sprintf("rule-%d", i)}},
			},
		})
		require.NoError(t, err)
		triggerIDs = append(triggerIDs, tr.ID)
	}
	_, err = asAdmin.Triggers().Create(ctx, trigger.New{
		Name: "assign",
		All:  []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRoundRobin, GroupID: group},
			{Kind: trigger.SetPriority, Value: "high"},
		},
	})
	require.NoError(t, err)
	trs, err := asAdmin.Triggers().List(ctx)
	require.NoError(t, err)
	triggerIDs = triggerIDs[:0]
	for _, tr := range trs {
		triggerIDs = append(triggerIDs, tr.ID)
	}

	var rootIDs []string
	for i := range 4 {
		c, err := asAdmin.Categories().Create(ctx, category.New{Tree: category.Intake,
			Name: i18n.Text{"ko": fmt.Sprintf("분류 %d", i), "en": fmt.Sprintf("Root %d", i)}})
		require.NoError(t, err)
		rootIDs = append(rootIDs, c.ID)
	}
	tpl, err := asAdmin.Templates().Create(ctx, template.New{Title: "Hello", Content: "Hello #{title}", Code: "hello"})
	require.NoError(t, err)

	// A pool of tickets the replies and tag updates work on.
	var poolMu sync.Mutex
	var pool []string
	newTicket := func(i int) error {
		tk, err := sys.Tickets().Create(ctx, ticket.New{
			Requester: ticket.Requester{Name: "Customer", Email: fmt.Sprintf("c%d@example.com", i%5)},
			Title:     fmt.Sprintf("ticket %d", i), Content: "help", Channel: ticket.ChannelEmail,
		})
		if err == nil {
			poolMu.Lock()
			pool = append(pool, tk.ID)
			poolMu.Unlock()
		}
		return err
	}
	for i := range 4 {
		require.NoError(t, newTicket(i))
	}
	pick := func(r *rand.Rand) string {
		poolMu.Lock()
		defer poolMu.Unlock()
		return pool[r.IntN(len(pool))]
	}

	const workers = 8
	ops := 240
	if testing.Short() {
		ops = 60
	}
	var (
		created, categories atomic.Int64
		repliesMu           sync.Mutex
		replies             = map[string]int{} // ticket id → replies made
		tagsMu              sync.Mutex
		tags                = map[string][]string{} // ticket id → tags added
		wordsAdded          atomic.Int64
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range ops {
				var err error
				what := ""
				switch op := r.IntN(10); op {
				case 0, 1:
					what = "create ticket"
					if err = newTicket(1000*w + i); err == nil {
						created.Add(1)
					}
				case 2:
					what = "agent reply"
					id := pick(r)
					if _, err = asAgent.Tickets().Reply(ctx, id, helpdesk.Reply{Body: fmt.Sprintf("reply %d/%d", w, i)}); err == nil {
						repliesMu.Lock()
						replies[id]++
						repliesMu.Unlock()
					}
				case 3:
					what = "customer reply"
					id := pick(r)
					if _, err = sys.Tickets().CustomerReply(ctx, id, helpdesk.CustomerReply{Body: fmt.Sprintf("customer %d/%d", w, i)}); err == nil {
						repliesMu.Lock()
						replies[id]++
						repliesMu.Unlock()
					}
				case 4:
					what = "add tag"
					id, tag := pick(r), fmt.Sprintf("w%d-%d", w, i)
					if err = addTag(ctx, asAgent, id, tag); err == nil {
						tagsMu.Lock()
						tags[id] = append(tags[id], tag)
						tagsMu.Unlock()
					}
				case 5:
					what = "reorder triggers"
					ids := slices.Clone(triggerIDs)
					r.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
					err = asAdmin.Triggers().Reorder(ctx, ids)
				case 6:
					what = "reorder categories"
					var roots []category.Category
					if roots, err = asAdmin.Categories().Tree(ctx, category.Intake); err == nil {
						var ids []string
						for _, c := range roots {
							if c.ParentID == "" {
								ids = append(ids, c.ID)
							}
						}
						r.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
						err = asAdmin.Categories().Reorder(ctx, category.Intake, "", ids) // the roots never change
					}
				case 7:
					what = "create category"
					parent := rootIDs[r.IntN(len(rootIDs))]
					if _, err = asAdmin.Categories().Create(ctx, category.New{ParentID: parent,
						Name: i18n.Text{"ko": fmt.Sprintf("하위 %d-%d", w, i)}}); err == nil {
						categories.Add(1)
					}
				case 8:
					what = "edit template"
					_, err = asAdmin.Templates().Update(ctx, tpl.ID, template.New{Title: fmt.Sprintf("Hello %d/%d", w, i),
						Content: "Hello #{title}", Code: "hello"})
				case 9:
					what = "forbidden word"
					var ws []template.ForbiddenWord
					if ws, err = asAdmin.ForbiddenWords().Add(ctx, fmt.Sprintf("bad%d_%d", w, i)); err == nil {
						wordsAdded.Add(1)
						if r.IntN(2) == 0 {
							if err = asAdmin.ForbiddenWords().Delete(ctx, ws[0].ID); err == nil {
								wordsAdded.Add(-1)
							}
						}
					}
				}
				if !assert.NoError(t, err, "worker %d op %d: %s", w, i, what) {
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Numbers: 1..n without a gap, one per ticket.
	var all []ticket.Ticket
	for f := (ticket.Filter{Limit: ticket.MaxPageSize}); ; {
		p, err := asAdmin.Tickets().List(ctx, f)
		require.NoError(t, err)
		all = append(all, p.Tickets...)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	require.Len(t, all, int(created.Load())+4)
	for i, tk := range all {
		assert.Equal(t, int64(len(all)-i), tk.Number, "numbers without a gap")
	}
	// Round robin stayed fair over the committed creations.
	perAgent := map[string]int{}
	for _, tk := range all {
		perAgent[tk.AssigneeID]++
		assert.Equal(t, ticket.PriorityHigh, tk.Priority)
	}
	var counts []int
	for _, id := range agents {
		counts = append(counts, perAgent[id])
	}
	sort.Ints(counts)
	assert.LessOrEqual(t, counts[len(counts)-1]-counts[0], 1, "round robin fair: %v", counts)

	// Every reply and every tag is there.
	for _, tk := range all {
		cs, err := asAdmin.Tickets().Comments(ctx, tk.ID)
		require.NoError(t, err)
		assert.Len(t, cs, replies[tk.ID], "replies of ticket %d", tk.Number)
		for _, tag := range tags[tk.ID] {
			assert.Contains(t, tk.Tags, tag, "tag of ticket %d", tk.Number)
		}
	}

	// Positions are gap-free permutations.
	trs, err = asAdmin.Triggers().List(ctx)
	require.NoError(t, err)
	require.Len(t, trs, len(triggerIDs))
	for i, tr := range trs {
		assert.Equal(t, i, tr.Position, "trigger positions")
	}
	tree, err := asAdmin.Categories().Tree(ctx, category.Intake)
	require.NoError(t, err)
	assert.Len(t, tree, len(rootIDs)+int(categories.Load()))
	positions := map[string][]int{}
	for _, c := range tree {
		positions[c.ParentID] = append(positions[c.ParentID], c.Position)
	}
	for parent, ps := range positions {
		sort.Ints(ps)
		for i, p := range ps {
			assert.Equal(t, i, p, "positions under %q", parent)
		}
	}
	words, err := asAdmin.ForbiddenWords().List(ctx)
	require.NoError(t, err)
	assert.Len(t, words, int(wordsAdded.Load()))
}

// addTag adds tag to a ticket with the version it read, as a client does,
// and reads again when the version went stale.
func addTag(ctx context.Context, s *helpdesk.Session, id, tag string) error {
	for {
		tk, err := s.Tickets().Get(ctx, id)
		if err != nil {
			return err
		}
		next := append(slices.Clone(tk.Tags), tag)
		_, err = s.Tickets().Update(ctx, id, ticket.Update{Version: tk.Version, Tags: &next})
		if !errors.Is(err, helpdesk.ErrConflict) {
			return err
		}
	}
}
