package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// printer is a Mailer that prints instead of sending.
type printer struct{}

func (printer) SendMail(_ context.Context, m notify.Message) error {
	fmt.Printf("to %s: %s\n", m.Recipient, m.Payload.Subject)
	return nil
}

// A message stored with the change that caused it is delivered by the
// dispatcher after the commit.
func ExampleDispatcher() {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	_ = store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_ = r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1})
		ms := []notify.Message{{
			ID: "m1", Medium: notify.Email, Recipient: "jun@customer.example",
			Payload:        notify.Payload{Subject: "[#1] Your invoice"},
			IdempotencyKey: "auto_mail:resolve:c1", CreatedAt: now,
		}}
		if err := notify.Prepare(ms); err != nil { // pending, due now
			return err
		}
		return r.Outbox().Enqueue(ctx, ms...)
	})
	d, _ := notify.NewDispatcher(notify.DispatcherConfig{Queue: store, Notifiers: notify.Notifiers{Mail: printer{}},
		Clock: func() time.Time { return now }})
	n, _ := d.RunOnce(ctx)
	fmt.Println(n, d.Stats().Sent)
	// Output:
	// to jun@customer.example: [#1] Your invoice
	// 1 1
}

func ExampleRetryPolicy_Delay() {
	p := notify.RetryPolicy{Base: 30 * time.Second, Max: 10 * time.Minute, Jitter: -1}
	for attempt := 1; attempt <= 6; attempt++ {
		fmt.Print(p.Delay(attempt, 0), " ")
	}
	fmt.Println()
	// Output:
	// 30s 1m0s 2m0s 4m0s 8m0s 10m0s
}
