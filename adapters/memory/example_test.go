package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// A failing transaction leaves no trace.
func ExampleStore_Tx() {
	ctx := context.Background()
	s := memory.New()
	boom := errors.New("boom")
	_ = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1})
	})
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		t := ticket.Ticket{ID: "t1", Title: "x"}
		if err := r.Tickets().Create(ctx, &t, nil); err != nil {
			return err
		}
		return boom
	})
	fmt.Println(errors.Is(err, boom))
	_ = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().Get(ctx, "t1")
		fmt.Println(errors.Is(err, helpdesk.ErrNotFound))
		return nil
	})
	// Output:
	// true
	// true
}
