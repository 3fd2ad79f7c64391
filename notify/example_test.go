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

// enqueue stores messages in service "acme" of store, ready and due when
// created, as helpdesk does with the change that causes them.
func enqueue(ctx context.Context, store *memory.Store, ms ...notify.Message) error {
	return store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Service().Get(ctx); err != nil {
			if err := r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1}); err != nil {
				return err
			}
		}
		if err := notify.Prepare(ms); err != nil { // pending, due when created
			return err
		}
		return r.Outbox().Enqueue(ctx, ms...)
	})
}

// A message stored with the change that caused it is delivered by the
// dispatcher after the commit.
func ExampleDispatcher() {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	_ = enqueue(ctx, store, notify.Message{
		ID: "m1", Medium: notify.Email, Recipient: "jun@customer.example",
		Payload: notify.Payload{Subject: "[#1] Your invoice",
			From: notify.Address{Name: "ACME Support", Address: "help@acme.example"}},
		IdempotencyKey: "auto_mail:resolve:c1", CreatedAt: now,
	})
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: store, Notifiers: notify.Notifiers{Mail: printer{}},
		Clock: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	st, _ := d.RunOnce(ctx)
	fmt.Println("sent:", st.Sent)
	// Output:
	// to jun@customer.example: [#1] Your invoice
	// sent: 1
}

// A host without a long-running process — a command-line tool, a function
// a scheduler calls every minute — delivers what is due and returns. A
// message due later waits for a later call.
func ExampleDispatcher_RunOnce() {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var ms []notify.Message
	for i := range 3 {
		ms = append(ms, notify.Message{ID: fmt.Sprint("m", i), Medium: notify.Email, Recipient: fmt.Sprintf("c%d@customer.example", i),
			Payload: notify.Payload{Subject: "Your ticket"}, IdempotencyKey: fmt.Sprint("k", i), CreatedAt: now})
	}
	ms[2].NextAttemptAt = now.Add(time.Hour) // due in an hour
	_ = enqueue(ctx, store, ms...)
	d, _ := notify.NewDispatcher(notify.DispatcherConfig{Queue: store, Notifiers: notify.Notifiers{Mail: printer{}},
		Concurrency: 1, // one send at a time: the output's order is fixed
		Clock:       func() time.Time { return now }})

	st, err := d.RunOnce(ctx)
	fmt.Printf("%+v %v\n", st, err)
	now = now.Add(time.Hour) // the next call
	st, err = d.RunOnce(ctx)
	fmt.Printf("%+v %v\n", st, err)
	// Output:
	// to c0@customer.example: Your ticket
	// to c1@customer.example: Your ticket
	// {Sent:2 Retried:0 Failed:0 Released:0 LeaseLost:0} <nil>
	// to c2@customer.example: Your ticket
	// {Sent:1 Retried:0 Failed:0 Released:0 LeaseLost:0} <nil>
}

// Drain returns once nothing is pending, waiting for messages that are not
// due yet: a test checks what was sent after it, and a job that must leave
// its mail delivered waits for it. Bound it with a deadline.
func ExampleDispatcher_Drain() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := memory.New()
	now := time.Now()
	_ = enqueue(ctx, store,
		notify.Message{ID: "m1", Medium: notify.Email, Recipient: "jun@customer.example",
			Payload: notify.Payload{Subject: "Received"}, IdempotencyKey: "k1", CreatedAt: now},
		notify.Message{ID: "m2", Medium: notify.Email, Recipient: "jun@customer.example",
			Payload: notify.Payload{Subject: "Reminder"}, IdempotencyKey: "k2", CreatedAt: now,
			NextAttemptAt: now.Add(20 * time.Millisecond)})
	d, _ := notify.NewDispatcher(notify.DispatcherConfig{Queue: store, Notifiers: notify.Notifiers{Mail: printer{}},
		PollInterval: 10 * time.Millisecond})

	st, err := d.Drain(ctx)
	fmt.Println("sent:", st.Sent, err)
	// Output:
	// to jun@customer.example: Received
	// to jun@customer.example: Reminder
	// sent: 2 <nil>
}

// A mail's sender is a typed field of its payload; String formats it for
// the From header.
func ExampleAddress_String() {
	fmt.Println(notify.Address{Name: "ACME Support", Address: "help@acme.example"})
	fmt.Println(notify.Address{Name: "고객센터", Address: "help@acme.example"})
	fmt.Println(notify.Address{Address: "help@acme.example"})
	// Output:
	// "ACME Support" <help@acme.example>
	// =?utf-8?q?=EA=B3=A0=EA=B0=9D=EC=84=BC=ED=84=B0?= <help@acme.example>
	// <help@acme.example>
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
