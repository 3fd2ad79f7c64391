package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
)

func BenchmarkCreateTicket(b *testing.B) { storetest.BenchCreateTicket(b, open(b)) }

// BenchmarkCreateTicket_RawInsert is the baseline of BenchmarkCreateTicket:
// one single-row INSERT of the same ticket row through the same pool, in
// autocommit, with the number from a Go counter — no transaction, no
// validation, no history.
func BenchmarkCreateTicket_RawInsert(b *testing.B) {
	s := open(b)
	storetest.BenchDesk(b, s) // the service row the foreign key needs
	insert := rawInsert(s, 1_000_000)
	require.NoError(b, insert())
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := insert(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := insert(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
}

// rawInsert returns the baseline's statement: one single-row INSERT of the
// benchmarks' ticket into service "bench", in autocommit, numbered from
// first up by a Go counter.
func rawInsert(s *postgres.Store, first int64) func() error {
	db := s.DB().DB
	ctx := context.Background()
	n := storetest.BenchNewTicket()
	var number atomic.Int64
	number.Store(first)
	return func() error {
		now := time.Now().UTC()
		_, err := db.ExecContext(ctx, `INSERT INTO tickets (service_id, id, number, version, requester_name, requester_email,
requester_phone, title, content, channel, language, status, priority, tags, created_at, updated_at)
VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, 'ko', 'new', 'normal', $10, $11, $11)`,
			"bench", uuid.Must(uuid.NewV7()).String(), number.Add(1), n.Requester.Name, n.Requester.Email, n.Requester.Phone,
			n.Title, n.Content, string(n.Channel), n.Tags, now)
		return err
	}
}

// BenchmarkCreateTicket_Paired runs Tickets.Create and its raw-insert
// baseline (BenchmarkCreateTicket_RawInsert) alternately, one of each per
// iteration, so that both meet the same load on a shared machine, where
// separate runs a few seconds apart differ by more than the figure. It
// reports each one's time per call (create-ns, raw-ns) and their ratio
// (raw/create: 1 is as fast as the raw insert); parallel runs two callers
// per CPU, each alternating.
func BenchmarkCreateTicket_Paired(b *testing.B) {
	s := open(b)
	d := storetest.BenchDesk(b, s)
	cached, err := helpdesk.New(helpdesk.Config{Store: s, ServiceCacheTTL: time.Minute})
	require.NoError(b, err)
	insert := rawInsert(s, 1_000_000) // numbers apart from the desk's
	n := storetest.BenchNewTicket()
	ctx := context.Background()
	pair := func(sess *helpdesk.Session, ours, base *atomic.Int64) error {
		t0 := time.Now()
		if _, err := sess.Tickets().Create(ctx, n); err != nil {
			return err
		}
		t1 := time.Now()
		if err := insert(); err != nil {
			return err
		}
		ours.Add(int64(t1.Sub(t0)))
		base.Add(int64(time.Since(t1)))
		return nil
	}
	report := func(b *testing.B, ours, base *atomic.Int64) {
		b.ReportMetric(float64(ours.Load())/float64(b.N), "create-ns/op")
		b.ReportMetric(float64(base.Load())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(base.Load())/float64(ours.Load()), "raw/create")
	}
	for _, c := range []struct {
		name string
		d    *helpdesk.Desk
	}{{"", d}, {"cached_", cached}} {
		sess := c.d.Service("bench").As(helpdesk.System)
		// Warm every connection of the pool (4) before timing: each
		// prepares its statements once and plans the ones with generic
		// plans a few times first, which would otherwise weigh on short
		// runs.
		var wg sync.WaitGroup
		var ignored atomic.Int64
		for range 4 {
			wg.Go(func() {
				for range 10 {
					if err := pair(sess, &ignored, &ignored); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.Run(c.name+"serial", func(b *testing.B) {
			b.ReportAllocs()
			var ours, base atomic.Int64
			for b.Loop() {
				if err := pair(sess, &ours, &base); err != nil {
					b.Fatal(err)
				}
			}
			report(b, &ours, &base)
		})
		b.Run(c.name+"parallel", func(b *testing.B) {
			b.ReportAllocs()
			var ours, base atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := pair(sess, &ours, &base); err != nil {
						b.Error(err)
						return
					}
				}
			})
			report(b, &ours, &base)
		})
	}
}

func BenchmarkListTickets(b *testing.B) { storetest.BenchListTickets(b, open(b)) }

// BenchmarkRoundRobin: Groups.NextAssignee on a round-robin group of 7 agents, 8
// concurrent callers (each a transaction: service, actor, group, cursor
// lock, members, agents, cursor update).
func BenchmarkRoundRobin(b *testing.B) { storetest.BenchRoundRobin(b, open(b)) }

// BenchmarkRoundRobin_BareCounter is its baseline: a bare
// UPDATE … RETURNING of one counter row by 8 concurrent callers.
func BenchmarkRoundRobin_BareCounter(b *testing.B) {
	s := open(b)
	db := s.DB().DB
	ctx := context.Background()
	benchCounter(b, s)
	b.Run("callers_8", func(b *testing.B) { // as BenchmarkRoundRobin: the setup above is not timed
		b.ReportAllocs()
		b.SetParallelism(storetest.ParallelCallers(8))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				var n int64
				if err := db.QueryRowContext(ctx, "UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n").Scan(&n); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assignments/s")
	})
}

// benchCounter makes the bare counter's table.
func benchCounter(b *testing.B, s *postgres.Store) {
	db := s.DB().DB
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL)")
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, "INSERT INTO bench_counter VALUES (1, 0)")
	require.NoError(b, err)
}

// BenchmarkRoundRobin_Paired runs BenchmarkRoundRobin and its bare-counter
// baseline in alternate bursts (each iteration: 8 callers make 8
// assignments each, then 8 callers make 8 counter updates each), so that
// both meet the same load on a shared machine. It reports each one's time
// per call and their ratio (counter/assign: 1 is as fast as the bare
// counter).
func BenchmarkRoundRobin_Paired(b *testing.B) {
	for _, pool := range []int{4, 0} { // the tests' pool, and Open's default (20)
		name := fmt.Sprintf("pool_%d", pool)
		if pool == 0 {
			name = "pool_default"
		}
		b.Run(name, func(b *testing.B) { roundRobinPaired(b, openPool(b, pool)) })
	}
}

func roundRobinPaired(b *testing.B, s *postgres.Store) {
	sys, group := storetest.BenchRoundRobinGroup(b, s)
	benchCounter(b, s)
	db := s.DB().DB
	ctx := context.Background()
	const callers, each = 8, 8
	burst := func(op func() error) (time.Duration, error) {
		errs := make(chan error, callers)
		t0 := time.Now()
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for range each {
					if err := op(); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		return time.Since(t0), <-errs
	}
	assign := func() error { _, err := sys.Groups().NextAssignee(ctx, group); return err }
	count := func() error {
		var n int64
		return db.QueryRowContext(ctx, "UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n").Scan(&n)
	}
	// Warm the pool first (prepared statements, generic plans), as the
	// create benchmark does.
	for range 3 {
		_, err := burst(assign)
		require.NoError(b, err)
		_, err = burst(count)
		require.NoError(b, err)
	}
	b.Run("callers_8", func(b *testing.B) {
		b.ReportAllocs()
		var ours, base time.Duration
		for b.Loop() {
			d, err := burst(assign)
			require.NoError(b, err)
			ours += d
			d, err = burst(count)
			require.NoError(b, err)
			base += d
		}
		calls := float64(b.N * callers * each)
		b.ReportMetric(float64(ours)/calls, "assign-ns/op")
		b.ReportMetric(float64(base)/calls, "counter-ns/op")
		b.ReportMetric(float64(base)/float64(ours), "counter/assign")
	})
}
