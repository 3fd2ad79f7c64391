package sqlite_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/storetest"
)

// The benchmarks run on files with SyncNormal (open), the baseline on the
// same kind of file as the store.

func BenchmarkCreateTicket(b *testing.B) { storetest.BenchCreateTicket(b, open(b)) }

// BenchmarkCreateTicket_RawInsert is the baseline of BenchmarkCreateTicket:
// one single-row INSERT of the same ticket row through the same pool (same
// file, same pragmas, same synchronous level), in autocommit, with the
// number from a Go counter — no transaction of ours, no validation, no
// history. serial and parallel run it as database/sql does by default
// (prepared at each call); prepared_serial and prepared_parallel keep it
// prepared, as the store keeps its own hot statements.
func BenchmarkCreateTicket_RawInsert(b *testing.B) {
	s := open(b)
	storetest.BenchDesk(b, s) // the service the benchmark's tickets belong to
	db := s.DB().DB
	ctx := context.Background()
	n := storetest.BenchNewTicket()
	tags, err := json.Marshal(n.Tags)
	require.NoError(b, err)
	var number atomic.Int64
	const query = `INSERT INTO tickets (service_id, id, number, version, requester_name, requester_email,
requester_email_key, requester_phone, title, content, channel, language, status, priority, tags, created_at, updated_at)
VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 'ko', 'new', 'normal', ?, ?, ?)`
	args := func() []any {
		now := time.Now().UTC().Format("2006-01-02 15:04:05.000000-07:00")
		return []any{"bench", uuid.Must(uuid.NewV7()).String(), number.Add(1), n.Requester.Name, n.Requester.Email,
			strings.ToLower(n.Requester.Email), n.Requester.Phone, n.Title, n.Content, string(n.Channel), string(tags), now, now}
	}
	insert := func() error {
		_, err := db.ExecContext(ctx, query, args()...)
		return err
	}
	require.NoError(b, insert())
	stmt, err := db.PrepareContext(ctx, query)
	require.NoError(b, err)
	b.Cleanup(func() { _ = stmt.Close() })
	prepared := func() error {
		_, err := stmt.ExecContext(ctx, args()...)
		return err
	}
	run(b, "", insert)
	run(b, "prepared_", prepared)
}

// run runs insert serially and in parallel, as sub-benchmarks named with
// prefix.
func run(b *testing.B, prefix string, insert func() error) {
	b.Run(prefix+"serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := insert(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
	b.Run(prefix+"parallel", func(b *testing.B) {
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
