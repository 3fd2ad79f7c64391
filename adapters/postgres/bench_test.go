package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/storetest"
)

func BenchmarkCreateTicket(b *testing.B) { storetest.BenchCreateTicket(b, open(b)) }

// BenchmarkCreateTicket_RawInsert is the baseline of BenchmarkCreateTicket:
// one single-row INSERT of the same ticket row through the same pool, in
// autocommit, with the number from a Go counter — no transaction, no
// validation, no history.
func BenchmarkCreateTicket_RawInsert(b *testing.B) {
	s := open(b)
	storetest.BenchDesk(b, s) // the service row the foreign key needs
	db := s.DB().DB
	ctx := context.Background()
	n := storetest.BenchNewTicket()
	var number atomic.Int64
	insert := func() error {
		now := time.Now().UTC()
		_, err := db.ExecContext(ctx, `INSERT INTO tickets (service_id, id, number, version, requester_name, requester_email,
requester_phone, title, content, channel, language, status, priority, tags, created_at, updated_at)
VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, 'ko', 'new', 'normal', $10, $11, $11)`,
			"bench", uuid.Must(uuid.NewV7()).String(), number.Add(1), n.Requester.Name, n.Requester.Email, n.Requester.Phone,
			n.Title, n.Content, string(n.Channel), n.Tags, now)
		return err
	}
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
	_, err := db.ExecContext(ctx, "CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL)")
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, "INSERT INTO bench_counter VALUES (1, 0)")
	require.NoError(b, err)
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
