// Command quickstart runs a small helpdesk on the embedded memory store
// (or, with -db, in one SQLite file that keeps it): it creates a service,
// an agent and a ticket, replies, solves the ticket and prints the
// ticket's history.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -db desk.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"text/tabwriter"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

func main() {
	db := flag.String("db", "", "a SQLite file to keep the helpdesk in (made if missing); empty: in memory")
	flag.Parse()
	if err := run(context.Background(), *db); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, db string) error {
	var store helpdesk.Store = memory.New()
	if db != "" {
		s, err := sqlite.Open(ctx, db)
		if err != nil {
			return err
		}
		if err := s.Migrate(ctx); err != nil {
			return err
		}
		store = s
	}
	desk, err := helpdesk.New(helpdesk.Config{Store: store})
	if err != nil {
		return err
	}
	defer desk.Close()

	// One tenant: Korean first, English too; tickets by mail and help center.
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name:                   "ACME Support",
		Languages:              []string{"ko", "en"},
		Channels:               helpdesk.Channels{Ticket: true},
		InternalResolutionText: i18n.Text{"ko": "내부적으로 처리되었습니다.", "en": "Resolved internally."},
	}})
	if errors.Is(err, helpdesk.ErrConflict) {
		return fmt.Errorf("%w (the file %s holds the demo already: pass a new file)", err, db)
	} else if err != nil {
		return err
	}
	acme := desk.Service("acme")

	// The system actor bootstraps the first agent.
	kim, err := acme.As(helpdesk.System).Agents().Create(ctx, agent.New{Name: "Kim Minji", Email: "minji@acme.example", Role: agent.RoleAdmin})
	if err != nil {
		return err
	}
	asKim := acme.As(helpdesk.AgentID(kim.ID))

	// A trigger (TRG-1..7): new tickets about invoices get priority high
	// and a tag, and the customer an acknowledgement (an outbox message,
	// written in the same transaction as the ticket).
	_, err = asKim.Triggers().Create(ctx, trigger.New{
		Name: "Invoices are urgent",
		All:  []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Any: []trigger.Condition{
			{Target: "title", Op: trigger.Contains, Value: "invoice"},
			{Target: "content", Op: trigger.Contains, Value: []string{"invoice", "영수증"}},
		},
		Actions: []trigger.Action{
			{Kind: trigger.SetPriority, Value: "high"},
			{Kind: trigger.AddTags, Tags: []string{"billing"}},
			{Kind: trigger.Notify, Recipient: trigger.RecipientCustomer,
				Subject: i18n.Text{"ko": "문의 번호 #{ticketId} 접수", "en": "We got your request, number #{ticketId}"},
				Body:    i18n.Text{"ko": "#{customerName}님, 확인 중입니다.", "en": "Hello #{customerName}, we are on it."}},
		},
	})
	if err != nil {
		return err
	}

	// A customer writes in (mail ingestion and the help center act as System).
	t, err := acme.As(helpdesk.System).Tickets().Create(ctx, ticket.New{
		Requester: ticket.Requester{Name: "Lee Jun", Email: "jun@customer.example"},
		Title:     "Cannot download my invoice",
		Content:   "The download button does nothing.",
		Channel:   ticket.ChannelEmail,
		Language:  "en",
	})
	if err != nil {
		return err
	}
	fmt.Printf("created ticket #%d %q (%s, priority %s, tags %v)\n", t.Number, t.Title, t.Status, t.Priority, t.Tags)
	queued, err := asKim.Outbox().List(ctx, notify.Filter{})
	if err != nil {
		return err
	}
	for _, m := range queued.Messages {
		fmt.Printf("outbox: %s to %s: %q\n", m.Medium, m.Recipient, m.Payload.Subject)
	}

	if _, err := asKim.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "Thanks, we are looking into it."}); err != nil {
		return err
	}
	if _, err := asKim.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "Cache issue on the CDN, purged.", Internal: true}); err != nil {
		return err
	}
	t, err = asKim.Tickets().Get(ctx, t.ID)
	if err != nil {
		return err
	}
	if _, err := asKim.Tickets().Update(ctx, t.ID, ticket.Update{Version: t.Version, Tags: &[]string{"billing", "cdn"}}); err != nil {
		return err
	}
	t, err = asKim.Tickets().Solve(ctx, t.ID, helpdesk.Solve{Internal: true})
	if err != nil {
		return err
	}
	fmt.Printf("ticket #%d is now %s (version %d)\n\nhistory of #%d:\n", t.Number, t.Status, t.Version, t.Number)

	history, err := asKim.Tickets().History(ctx, t.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WHEN\tWHO\tEVENT\tFIELD\tFROM\tTO")
	for _, c := range history {
		who := string(c.ActorKind)
		if c.ActorID == kim.ID {
			who = kim.Name
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.At.Format("15:04:05.000"), who, c.Event, c.Field, c.From, c.To)
	}
	if err := w.Flush(); err != nil {
		return err
	}

	// The same history as an export file (needs the export permission).
	fmt.Println("\nexport (CSV):")
	return asKim.Tickets().ExportHistory(ctx, os.Stdout, helpdesk.CSV, ticket.ChangeFilter{TicketID: t.ID})
}
