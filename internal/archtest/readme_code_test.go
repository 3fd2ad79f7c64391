package archtest

//lint:file-ignore SA4006 the README fragments leave out error checks for brevity
//lint:file-ignore SA5001 the README fragments leave out error checks for brevity

// The README's Go code, compiled here: each block of README.md stands
// between a "readme:begin" and a "readme:end" comment below, and
// TestReadmeCodeCompiles fails when the README and this file differ. Edit
// both together.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/httpapi"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// readmeQuickstart is the README's "Quickstart in code".
func readmeQuickstart(ctx context.Context, myMailer notify.Mailer) error {
	// readme:begin
	desk, err := helpdesk.New(helpdesk.Config{Store: memory.New()})
	// or: store, err := postgres.Open(ctx, dsn); err = store.Migrate(ctx)
	defer desk.Close()

	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME Support", Languages: []string{"ko", "en"},
		Channels: helpdesk.Channels{Ticket: true},
	}})
	acme := desk.Service("acme") // one tenant
	kim, err := acme.As(helpdesk.System).Agents().Create(ctx, agent.New{
		Name: "Kim Minji", Email: "minji@acme.example", Role: agent.RoleAdmin})

	t, err := acme.As(helpdesk.System).Tickets().Create(ctx, ticket.New{
		Requester: ticket.Requester{Name: "Lee Jun", Email: "jun@customer.example"},
		Title:     "Cannot download my invoice", Content: "The button does nothing.",
		Channel: ticket.ChannelEmail,
	})
	asKim := acme.As(helpdesk.AgentID(kim.ID)) // every call is made by an actor
	_, err = asKim.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "We are looking into it."})
	_, err = asKim.Tickets().Solve(ctx, t.ID, helpdesk.Solve{Internal: true})
	err = asKim.Tickets().ExportHistory(ctx, os.Stdout, helpdesk.CSV, ticket.ChangeFilter{TicketID: t.ID})

	// Outgoing messages wait in the outbox, written in the same transaction as
	// the change; a dispatcher (one or many, in any process) delivers them.
	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: myMailer}})
	go d.Run(ctx) // cancel ctx to stop: sends in flight finish, the rest is released
	// no long-running process (a test, a CLI, a scheduled function)? deliver what
	// is due and return: st, err := d.RunOnce(ctx); or wait until nothing is
	// pending: st, err := d.Drain(ctx)

	// Solved tickets close by themselves after the service's delay (TKT-2): one
	// job for every service of the store, safe to run in several processes.
	go desk.AutoCloser(time.Minute).Run(ctx)
	// readme:end
	return err
}

// readmeSQLite is the README's "One file, nothing to install".
func readmeSQLite(ctx context.Context) (*helpdesk.Desk, error) {
	// readme:begin
	store, err := sqlite.Open(ctx, "desk.db") // WAL mode; several processes may share it
	err = store.Migrate(ctx)
	desk, err := helpdesk.New(helpdesk.Config{Store: store})
	// readme:end
	return desk, err
}

// readmeTriggers is the README's trigger example.
func readmeTriggers(ctx context.Context, acme *helpdesk.Service, kim agent.Agent, billing agent.Group,
	billingCat, ordersCat category.Category, t ticket.Ticket, urgent ticket.Priority) error {
	// readme:begin
	asAdmin := acme.As(helpdesk.AgentID(kim.ID))
	tr, err := asAdmin.Triggers().Create(ctx, trigger.New{
		Name: "Refunds to the billing team",
		All: []trigger.Condition{
			{Target: "event", Op: trigger.Is, Value: "created"},
			{Target: "content", Op: trigger.ContainsWords, Value: []string{"refund", "환불"}},
			{Target: "intake_category", Op: trigger.IsUnderAny, Value: []string{billingCat.ID, ordersCat.ID}},
		},
		Any: []trigger.Condition{
			{Target: "channel", Op: trigger.In, Value: []string{"email", "help_center"}},
			{Target: "tags", Op: trigger.Contains, Value: "billing"},
		},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRoundRobin, GroupID: billing.ID},
			{Kind: trigger.SetPriority, Value: "high"},
			{Kind: trigger.AddTags, Tags: []string{"refund"}},
			{Kind: trigger.Notify, Recipient: trigger.RecipientAssignee,
				Subject: i18n.Text{"ko": "[#{ticketId}] #{title}"},
				Body:    i18n.Text{"ko": "환불 문의가 배정되었습니다: #{title}"}},
		},
	})
	// Order and lifecycle (TRG-1): Triggers().Reorder, Deactivate (to the
	// inactive list), Activate (to the end of the active list), and Delete,
	// which refuses an active trigger with trigger.ErrActive.

	// What would fire if this ticket's priority became urgent? Nothing is changed.
	rep, err := asAdmin.Triggers().DryRun(ctx, t.ID, ticket.EventUpdated, &ticket.Update{Priority: &urgent})
	for _, r := range rep.Triggers {
		fmt.Println(r.Name, r.Fired) // r.Conditions[i].Held, r.Actions[i].Effect
	}
	src, err := asAdmin.Triggers().Source(ctx, tr.ID) // the compiled expr program, a comment per condition
	// readme:end
	_ = src
	return err
}

// newEmptyStore is the store the README's conformance test runs on.
func newEmptyStore(*testing.T) helpdesk.Store { return memory.New() }

// readme:begin
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Options{
		New:   func(t *testing.T) helpdesk.Store { return newEmptyStore(t) },
		Queue: true, // the store implements notify.Queue (it can feed a Dispatcher)
	})
}

// readme:end

// readmeNotifiers is the README's "Notifiers and adapters".
func readmeNotifiers(ctx context.Context, store helpdesk.Store, myMailer notify.Mailer, mux *http.ServeMux,
	mySecrets func(ctx context.Context, serviceID string) ([]string, error)) error {
	// readme:begin
	// The SMS notifier reads each service's keys from the desk (SMS-1); the
	// desk checks the keys with it when an admin saves them.
	var desk *helpdesk.Desk
	sms := nhnsms.New(nhnsms.Options{Credentials: func(ctx context.Context, id string) (nhnsms.Credentials, error) {
		c, err := desk.SMSCredentials(ctx, id)
		return nhnsms.Credentials(c), err
	}})
	api := dooray.NewClient(dooray.ClientOptions{}) // Dooray! REST API (task transfer)
	desk, err := helpdesk.New(helpdesk.Config{Store: store, SMSNumbers: sms, DoorayTasks: dooray.Tasks{Client: api}})

	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{
		Mail: myMailer, // your own: any value with SendMail(ctx, notify.Message) error
		SMS:  sms,
		Dooray: dooray.Notifier{Hooks: dooray.NewHookPoster(dooray.HookOptions{BotName: "ACME Helpdesk"}),
			Client: api, Token: desk.DoorayToken},
		Call: webhook.New(webhook.Options{Secrets: mySecrets}), // signed, SSRF-guarded
	}})
	go d.Run(ctx)

	// Dooray! calls back when a task gets a comment or closes (two-way DRY-2).
	mux.Handle("POST /dooray/hooks/{service}/{token}", dooray.ProjectHook{Target: desk})
	// readme:end
	return err
}

// readmeHTTP is the README's "HTTP API".
func readmeHTTP(desk *helpdesk.Desk, mux *http.ServeMux, myLogin func(*http.Request) (string, string, error)) {
	// readme:begin
	api := httpapi.New(desk, httpapi.Options{
		// Your login decides who calls: nothing is reachable without it (API-1).
		Authenticate: func(r *http.Request) (string, helpdesk.Actor, error) {
			serviceID, agentID, err := myLogin(r)
			return serviceID, helpdesk.AgentID(agentID), err
		},
		MaxBodyBytes: 1 << 20,
	})
	mux.Handle("/helpdesk/", http.StripPrefix("/helpdesk", api))
	// readme:end
}

var _, _, _, _, _ = readmeQuickstart, readmeSQLite, readmeTriggers, readmeNotifiers, readmeHTTP
