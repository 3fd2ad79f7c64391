package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
)

func BenchmarkCreateTicket(b *testing.B) { storetest.BenchCreateTicket(b, memory.New()) }

func BenchmarkListTickets(b *testing.B) { storetest.BenchListTickets(b, memory.New()) }

func BenchmarkRoundRobin(b *testing.B) { storetest.BenchRoundRobin(b, memory.New()) }

// BenchmarkUpdateTicket_Triggers measures one UpdateTicket (a priority
// change) on a service without triggers (triggers=0, the baseline) and on
// one with 100 active triggers of 4 conditions each (triggers=100), of
// which 3 match every update: the cost the trigger engine adds to a ticket
// event (TRG-7).
func BenchmarkUpdateTicket_Triggers(b *testing.B) {
	for _, n := range []int{0, 100} {
		b.Run(fmt.Sprintf("triggers=%d", n), func(b *testing.B) {
			benchUpdateTriggers(b, n)
		})
	}
}

func benchUpdateTriggers(b *testing.B, n int) {
	ctx := context.Background()
	d := storetest.BenchDesk(b, memory.New())
	sys := d.Service("bench").As(helpdesk.System)
	_, err := sys.Fields().Create(ctx, field.New{Key: "level", Kind: field.KindAgent, Type: field.TypeNumber, Label: i18n.Text{"ko": "단계"}})
	require.NoError(b, err)
	// Trigger k: all (event is updated, content contains "wk"), any
	// (status in [open, pending], priority changed). The ticket's content
	// names w0, w1 and w2: those three match, the rest fail on content.
	for k := range n {
		action := trigger.Action{Kind: trigger.AddTags, Tags: []string{fmt.Sprintf("hit%d", k)}}
		if k%2 == 1 {
			action = trigger.Action{Kind: trigger.SetField, Field: "agent_fields.level", Value: float64(k)}
		}
		_, err := sys.Triggers().Create(ctx, trigger.New{Name: fmt.Sprintf("trigger %d", k),
			All: []trigger.Condition{
				{Target: trigger.TargetEvent, Op: trigger.Is, Value: "updated"},
				{Target: trigger.TargetContent, Op: trigger.Contains, Value: fmt.Sprintf("w%d", k)},
			},
			Any: []trigger.Condition{
				{Target: trigger.TargetStatus, Op: trigger.In, Value: []string{"open", "pending"}},
				{Target: trigger.TargetPriority, Op: trigger.Changed},
			},
			Actions: []trigger.Action{action}})
		require.NoError(b, err)
	}
	nt := storetest.BenchNewTicket()
	nt.Content = "Words w0 w1 w2 and the rest of a customer's message about an invoice."
	tk, err := sys.Tickets().Create(ctx, nt)
	require.NoError(b, err)
	tk, err = sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusOpen)
	require.NoError(b, err)
	prios := [2]ticket.Priority{ticket.PriorityHigh, ticket.PriorityNormal}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p := prios[i%2]
		i++
		tk, err = sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Priority: &p})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n > 0 {
		// The matching triggers fired on every update.
		h, err := sys.Tickets().History(ctx, tk.ID)
		require.NoError(b, err)
		fired := 0
		for _, c := range h {
			if c.Field == ticket.FieldTrigger {
				fired++
			}
		}
		if want := 3 * (i + 1); fired != want { // the status change fired them too
			b.Fatalf("%d firings, want %d", fired, want)
		}
	}
}
