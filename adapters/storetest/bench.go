package storetest

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// BenchNewTicket is the ticket every create benchmark writes, so that store
// benchmarks and their raw-insert baselines write the same row.
func BenchNewTicket() ticket.New {
	return ticket.New{
		Requester: ticket.Requester{Name: "Lee Jun", Email: "jun@customer.example", Phone: "010-1234-5678"},
		Title:     "Cannot download my invoice",
		Content:   "The download button on the billing page does nothing when I click it.",
		Channel:   ticket.ChannelEmail,
		Tags:      []string{"billing", "web"},
	}
}

// BenchDesk returns a Desk on s with service "bench" created; mods adjust
// its config.
func BenchDesk(b *testing.B, s helpdesk.Store, mods ...func(*helpdesk.Config)) *helpdesk.Desk {
	b.Helper()
	c := helpdesk.Config{Store: s}
	for _, m := range mods {
		m(&c)
	}
	d, err := helpdesk.New(c)
	require.NoError(b, err)
	_, err = d.CreateService(context.Background(), helpdesk.NewService{ID: "bench", Settings: cfg("bench").Settings})
	require.NoError(b, err)
	return d
}

// BenchCreateTicket measures the whole CreateTicket workflow (transaction,
// service load, authorisation, validation, number allocation, insert,
// history row) on s, serially and with parallel callers; then the same with
// the service settings cached (Config.ServiceCacheTTL).
func BenchCreateTicket(b *testing.B, s helpdesk.Store) {
	d := BenchDesk(b, s)
	benchCreate(b, d, "")
	cached, err := helpdesk.New(helpdesk.Config{Store: s, ServiceCacheTTL: time.Minute})
	require.NoError(b, err)
	benchCreate(b, cached, "cached_")
}

func benchCreate(b *testing.B, d *helpdesk.Desk, prefix string) {
	sess := d.Service("bench").As(helpdesk.System)
	ctx := context.Background()
	n := BenchNewTicket()
	b.Run(prefix+"serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sess.Tickets().Create(ctx, n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
	b.Run(prefix+"parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := sess.Tickets().Create(ctx, n); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
}

// BenchListTickets measures one page of 50 tickets filtered by status in a
// service of 10,000 tickets (a quarter of them open): the first page, and a
// page in the middle reached by cursor.
func BenchListTickets(b *testing.B, s helpdesk.Store) {
	ctx := context.Background()
	sess := BenchDesk(b, s).Service("bench").As(helpdesk.System)
	const total, batch = 10_000, 500
	for i := 0; i < total; i += batch {
		require.NoError(b, s.Tx(ctx, "bench", func(r helpdesk.Repos) error {
			for j := i; j < i+batch; j++ {
				tk := mkTicket(j)
				tk.Status = ticket.Statuses[j%4]
				if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	f := ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen}, Limit: 50}
	mid := f
	mid.Cursor = ticket.EncodeCursor(total / 2)
	for _, c := range []struct {
		name string
		f    ticket.Filter
	}{{"first_page", f}, {"middle_page", mid}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := sess.Tickets().List(ctx, c.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Tickets) != 50 {
					b.Fatalf("page of %d", len(p.Tickets))
				}
			}
		})
	}
}

// ParallelCallers returns the b.SetParallelism value that runs about n
// goroutines under RunParallel on this machine.
func ParallelCallers(n int) int {
	p := n / runtime.GOMAXPROCS(0)
	if p < 1 {
		p = 1
	}
	return p
}
