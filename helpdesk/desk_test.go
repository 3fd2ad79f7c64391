package helpdesk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// fixture is one desk on the memory store with service "acme" (and "other"),
// an admin and an agent in acme, and an agent in other.
type fixture struct {
	desk              *helpdesk.Desk
	store             helpdesk.Store
	acme, other       *helpdesk.Service
	sys, admin, agent *helpdesk.Session
	adminID, agentID  string
	foreignAgentID    string
	now               time.Time
}

func newFixture(t testing.TB, mods ...func(*helpdesk.Config, *helpdesk.Settings)) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	var clock sync.Mutex // the dispatcher reads the clock from several goroutines
	cfg := helpdesk.Config{Store: memory.New(), Clock: func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		f.now = f.now.Add(time.Second)
		return f.now
	}, SMSNumbers: fakeSMSNumbers{}}
	set := helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "en"},
		Channels:               helpdesk.Channels{Ticket: true},
		SMSEnabled:             true,
		Tickets:                helpdesk.TicketSettings{GroupAtCreation: true, AssigneeAtCreation: true},
		InternalResolutionText: i18n.Text{"ko": "내부 처리 완료"},
	}
	for _, m := range mods {
		m(&cfg, &set)
	}
	d, err := helpdesk.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	f.desk, f.store = d, cfg.Store
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: set})
	require.NoError(t, err)
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: "other", Settings: set})
	require.NoError(t, err)
	f.acme, f.other = d.Service("acme"), d.Service("other")
	f.sys = f.acme.As(helpdesk.System)
	adm, err := f.sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@acme.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	ag, err := f.sys.Agents().Create(ctx, agent.New{Name: "Agent", Email: "agent@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}, Toggles: &agent.Toggles{TicketAssignment: true}})
	require.NoError(t, err)
	fa, err := f.other.As(helpdesk.System).Agents().Create(ctx, agent.New{Name: "Foreign", Email: "f@other.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	f.adminID, f.agentID, f.foreignAgentID = adm.ID, ag.ID, fa.ID
	f.admin, f.agent = f.acme.As(helpdesk.AgentID(adm.ID)), f.acme.As(helpdesk.AgentID(ag.ID))
	return f
}

func newTicket() ticket.New {
	return ticket.New{
		Requester: ticket.Requester{Name: "Lee", Email: "lee@customer.example"},
		Title:     "Help", Content: "Please help", Channel: ticket.ChannelHelpCenter,
	}
}

func (f *fixture) ticket(t *testing.T) ticket.Ticket {
	t.Helper()
	tk, err := f.sys.Tickets().Create(context.Background(), newTicket())
	require.NoError(t, err)
	return tk
}

// assertNothingWritten checks that the service still has exactly n tickets
// and h history rows.
func (f *fixture) assertCounts(t *testing.T, tickets, history int) {
	t.Helper()
	ctx := context.Background()
	p, err := f.sys.Tickets().List(ctx, ticket.Filter{Limit: ticket.MaxPageSize})
	require.NoError(t, err)
	assert.Len(t, p.Tickets, tickets, "tickets")
	var buf bytes.Buffer
	require.NoError(t, f.sys.Tickets().ExportHistory(ctx, &buf, helpdesk.JSONLines, ticket.ChangeFilter{}))
	assert.Equal(t, history, strings.Count(buf.String(), "\n"), "history rows")
}

func problems(t *testing.T, err error) []string {
	t.Helper()
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	return fields
}

func TestNew_RequiresStore(t *testing.T) {
	_, err := helpdesk.New(helpdesk.Config{})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
}

func TestCreateService_BadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.desk.CreateService(ctx, helpdesk.NewService{ID: "Bad ID!", Settings: helpdesk.Settings{
		Languages: []string{"ko", "ko", "??"}, DefaultLanguage: "ja",
		InternalResolutionText: i18n.Text{"fr": "x"},
	}})
	assert.ElementsMatch(t, []string{"id", "name", "languages", "languages", "default_language", "internal_resolution_text"}, problems(t, err))
	_, err = f.desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{Name: "dup", Languages: []string{"en"}}})
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
}

func TestService_SVC2_LanguagesCanonicalAndDefault(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.desk.CreateService(ctx, helpdesk.NewService{ID: "jp", Settings: helpdesk.Settings{Name: "JP", Languages: []string{"JA", "en-us"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"ja", "en-US"}, c.Languages)
	assert.Equal(t, "ja", c.DefaultLanguage, "the first language is the default")
}

func TestUnknownService_NotFound(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.Service("nope").As(helpdesk.System).Tickets().Create(context.Background(), newTicket())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Contains(t, err.Error(), `"nope"`)
}

func TestCreateTicket_BadInput_EveryFieldNothingWritten(t *testing.T) {
	f := newFixture(t, func(c *helpdesk.Config, s *helpdesk.Settings) {
		c.Limits = ticket.Limits{MaxTitleBytes: 10, MaxContentBytes: 20}
		s.Tickets = helpdesk.TicketSettings{} // TKT-5: no group, no assignee at creation
	})
	ctx := context.Background()
	_, err := f.sys.Tickets().Create(ctx, ticket.New{
		Title: strings.Repeat("t", 11), Content: strings.Repeat("c", 21), Channel: "fax",
		Language: "fr", Priority: "sky-high", GroupID: "g1", AssigneeID: f.agentID,
		CustomerFields: ticket.Fields{"bad": struct{}{}},
	})
	assert.ElementsMatch(t, []string{"title", "content", "channel", "language", "priority", "group_id", "assignee_id", "customer_fields.bad"}, problems(t, err))

	_, err = f.sys.Tickets().Create(ctx, ticket.New{Title: " ", Channel: ticket.ChannelPhone})
	assert.ElementsMatch(t, []string{"title", "content", "channel"}, problems(t, err), "phone is not contracted (SVC-4)")
	f.assertCounts(t, 0, 0)

	tk := f.ticket(t)
	assert.Equal(t, int64(1), tk.Number, "refused creations used no number")
}

func TestCreateTicket_TKT5_AssigneeAtCreation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := newTicket()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Billing"})
	require.NoError(t, err)
	n.AssigneeID, n.GroupID = f.agentID, g.ID
	defineOrderAndColors(t, f)
	n.CustomerFields = ticket.Fields{"order": 7, "colors": []any{"red"}}
	tk, err := f.agent.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.Fields{"order": 7.0, "colors": []string{"red"}}, tk.CustomerFields, "values stored in canonical shape")
	assert.Equal(t, ticket.StatusOpen, tk.Status, "an assignment opens the ticket (TKT-2)")
	assert.Equal(t, "ko", tk.Language)
	assert.Equal(t, ticket.PriorityNormal, tk.Priority)

	n.AssigneeID = f.foreignAgentID
	_, err = f.agent.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"assignee_id"}, problems(t, err), "an agent of another service is unknown here (SVC-1)")
}

func TestTenantIsolation_SVC1_ForeignTicketIsNotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	foreign, err := f.other.As(helpdesk.System).Tickets().Create(ctx, newTicket())
	require.NoError(t, err)
	calls := map[string]func() error{
		"get": func() error { _, err := f.sys.Tickets().Get(ctx, foreign.ID); return err },
		"update": func() error {
			_, err := f.sys.Tickets().Update(ctx, foreign.ID, ticket.Update{Version: 1, Title: ptr("x")})
			return err
		},
		"status": func() error { _, err := f.sys.Tickets().SetStatus(ctx, foreign.ID, ticket.StatusOpen); return err },
		"reply":  func() error { _, err := f.sys.Tickets().Reply(ctx, foreign.ID, helpdesk.Reply{Body: "x"}); return err },
		"cust": func() error {
			_, err := f.sys.Tickets().CustomerReply(ctx, foreign.ID, helpdesk.CustomerReply{Body: "x"})
			return err
		},
		"solve":   func() error { _, err := f.sys.Tickets().Solve(ctx, foreign.ID, helpdesk.Solve{}); return err },
		"comment": func() error { _, err := f.sys.Tickets().Comments(ctx, foreign.ID); return err },
		"history": func() error { _, err := f.sys.Tickets().History(ctx, foreign.ID); return err },
		"export": func() error {
			return f.sys.Tickets().ExportHistory(ctx, &bytes.Buffer{}, helpdesk.CSV, ticket.ChangeFilter{TicketID: foreign.ID})
		},
	}
	for name, call := range calls {
		assert.ErrorIs(t, call(), helpdesk.ErrNotFound, name)
	}
	f.assertCounts(t, 0, 0)
	got, err := f.other.As(helpdesk.System).Tickets().Get(ctx, foreign.ID)
	require.NoError(t, err)
	assert.Equal(t, foreign, got)
}

func ptr[T any](v T) *T { return &v }

func TestUpdateTicket_TKT8_StaleVersion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("first")})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("second")})
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	got, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "first", got.Title)
	f.assertCounts(t, 1, 2)

	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Title: ptr("no version")})
	assert.Equal(t, []string{"version"}, problems(t, err))
}

func TestUpdateTicket_HistoryPerField_TKT4(t *testing.T) {
	f := newFixture(t)
	defineOrderAndColors(t, f)
	ctx := context.Background()
	tk := f.ticket(t)
	a, err := f.admin.Agents().Get(ctx, f.agentID)
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, f.agentID, agent.Update{Version: a.Version, Permissions: &agent.Permissions{Ticket: true, Forward: true}})
	require.NoError(t, err, "assigning through an update is forwarding (TKT-7)")
	up, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{
		Version: tk.Version, Priority: ptr(ticket.PriorityUrgent), AssigneeID: ptr(f.agentID),
		Tags: &[]string{"VIP", " vip", "refund"}, CustomerFields: ticket.Fields{"order": 1234},
	})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, up.Status, "assignment opens (TKT-2)")
	assert.Equal(t, []string{"refund", "vip"}, up.Tags)
	assert.Equal(t, 1234.0, up.CustomerFields["order"])
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var got []string
	for _, c := range h[1:] {
		assert.Equal(t, ticket.ActorAgent, c.ActorKind)
		assert.Equal(t, f.agentID, c.ActorID)
		assert.Equal(t, ticket.EventUpdated, c.Event)
		got = append(got, c.Field+":"+c.From+"→"+c.To)
	}
	assert.Equal(t, []string{"status:new→open", "priority:normal→urgent", "assignee_id:→" + f.agentID, "tags:→refund, vip", "customer_fields.order:→1234"}, got)

	// an update that changes nothing writes nothing
	same, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, Priority: ptr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, up.Version, same.Version)
	f.assertCounts(t, 1, 6)
}

func TestChangeStatus_TKT2_IllegalMoveNamesFromTo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	_, err := f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	var te *ticket.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, ticket.StatusNew, te.From)
	assert.Equal(t, ticket.StatusClosed, te.To)
	assert.ErrorIs(t, err, helpdesk.ErrIllegalTransition)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, "frozen")
	assert.Equal(t, []string{"status"}, problems(t, err))
	f.assertCounts(t, 1, 1)

	for _, to := range []ticket.Status{ticket.StatusPending, ticket.StatusOpen, ticket.StatusSolved, ticket.StatusOpen, ticket.StatusSolved, ticket.StatusClosed} {
		got, err := f.agent.Tickets().SetStatus(ctx, tk.ID, to)
		require.NoError(t, err, "→ %s", to)
		assert.Equal(t, to, got.Status)
	}
	got, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.False(t, got.SolvedAt.IsZero())
	assert.False(t, got.ClosedAt.IsZero())

	// closed is final: no status, field or reply changes
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusOpen)
	assert.ErrorAs(t, err, &te)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: got.Version, Title: ptr("x")})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "x"})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	f.assertCounts(t, 1, 7)
}

func TestReply_TKT2_AutomaticMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)

	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "note", Internal: true})
	require.NoError(t, err)
	got, _ := f.agent.Tickets().Get(ctx, tk.ID)
	assert.Equal(t, ticket.StatusNew, got.Status, "an internal note does not open")

	c, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "hello", Status: ticket.StatusPending})
	require.NoError(t, err)
	assert.Equal(t, ticket.CommentPublic, c.Kind)
	assert.Equal(t, f.agentID, c.AuthorID)
	got, _ = f.agent.Tickets().Get(ctx, tk.ID)
	assert.Equal(t, ticket.StatusPending, got.Status, "first public reply opens, then submit as pending")

	got, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "thanks, still broken"})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, got.Status, "a customer reply reopens a pending ticket")
	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	got, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "again"})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, got.Status, "a customer reply reopens a solved ticket")

	cs, err := f.agent.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, cs, 4)
	assert.True(t, cs[2].FromCustomer)
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var events []ticket.EventKind
	for _, c := range h {
		events = append(events, c.Event)
	}
	assert.Contains(t, events, ticket.EventAgentReplied)
	assert.Contains(t, events, ticket.EventCustomerReplied)

	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "  ", Status: "nope"})
	assert.ElementsMatch(t, []string{"body", "status"}, problems(t, err))
	_, err = f.agent.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "I am not the customer"})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
}

func TestCustomerReply_TKT2_ClosedMakesFollowUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	fu, err := f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "it broke again"})
	require.NoError(t, err)
	assert.Equal(t, tk.ID, fu.FollowUpOf)
	assert.Equal(t, "Re: Help", fu.Title)
	assert.Equal(t, "it broke again", fu.Content)
	assert.Equal(t, ticket.StatusNew, fu.Status)
	assert.Equal(t, tk.Requester, fu.Requester)
	old, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	last := old[len(old)-1]
	assert.Equal(t, ticket.FieldFollowUp, last.Field)
	assert.Equal(t, fu.ID, last.To)
	closed, _ := f.agent.Tickets().Get(ctx, tk.ID)
	assert.Equal(t, ticket.StatusClosed, closed.Status, "closed is final")
}

func TestSolve_TKT6_InternalResolutionFallsBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := newTicket()
	n.Language = "en" // only Korean text is configured
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	last := h[len(h)-1]
	assert.Equal(t, ticket.FieldInternalResolution, last.Field)
	assert.Equal(t, "내부 처리 완료", last.To)
	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	var te *ticket.TransitionError
	assert.ErrorAs(t, err, &te, "solved → solved is not a move")
}

// TKT-6: an internal resolution with no text configured (in the ticket's
// language nor the default one) records the status move alone, no empty
// internal_resolution row.
func TestSolve_TKT6_InternalResolutionWithoutText(t *testing.T) {
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) {
		s.InternalResolutionText = i18n.Text{"en": "Handled internally"}
	})
	ctx := context.Background()
	tk := f.ticket(t) // in Korean, the default language: no text for it
	_, err := f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	for _, c := range h {
		assert.NotEqual(t, ticket.FieldInternalResolution, c.Field, "no empty row")
	}
	last := h[len(h)-1]
	assert.Equal(t, "status", last.Field)
	assert.Equal(t, string(ticket.StatusSolved), last.To)

	n := newTicket()
	n.Language = "en"
	en, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Solve(ctx, en.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	h, err = f.agent.Tickets().History(ctx, en.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.FieldInternalResolution, h[len(h)-1].Field)
	assert.Equal(t, "Handled internally", h[len(h)-1].To)
}

func TestExportHistory_Formats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "x"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: 2, Title: ptr("=cmd|' /C calc'!A0")})
	require.NoError(t, err)

	var jl bytes.Buffer
	require.NoError(t, f.admin.Tickets().ExportHistory(ctx, &jl, helpdesk.JSONLines, ticket.ChangeFilter{TicketID: tk.ID}))
	var rows []ticket.Change
	for _, line := range strings.Split(strings.TrimSpace(jl.String()), "\n") {
		var c ticket.Change
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		rows = append(rows, c)
	}
	h, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, h, rows, "JSON lines round-trip the history")

	var csvOut bytes.Buffer
	require.NoError(t, f.admin.Tickets().ExportHistory(ctx, &csvOut, helpdesk.CSV, ticket.ChangeFilter{}))
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	assert.Equal(t, "id,ticket_id,at,actor_kind,actor_id,event,field,from,to", lines[0])
	assert.Len(t, lines, len(h)+1)
	assert.Contains(t, csvOut.String(), ",'=cmd|' /C calc'!A0", "formulas are defused")

	// a period filter: nothing before the first row's time
	var none bytes.Buffer
	require.NoError(t, f.admin.Tickets().ExportHistory(ctx, &none, helpdesk.CSV, ticket.ChangeFilter{Until: h[0].At}))
	assert.Equal(t, 1, strings.Count(none.String(), "\n"), "header only")

	err = f.admin.Tickets().ExportHistory(ctx, &bytes.Buffer{}, "xml", ticket.ChangeFilter{})
	assert.Equal(t, []string{"format"}, problems(t, err))
}

// failingWriter fails after n bytes, like a client that went away.
type failingWriter struct{ n int }

var errGone = errors.New("client went away")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errGone
	}
	w.n -= len(p)
	return len(p), nil
}

func TestExportHistory_StreamsAndStopsOnWriteError(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	for i := range 400 {
		_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: strings.Repeat("x", i+1), Internal: true})
		require.NoError(t, err)
	}
	err := f.admin.Tickets().ExportHistory(ctx, &failingWriter{n: 1000}, helpdesk.JSONLines, ticket.ChangeFilter{})
	assert.ErrorIs(t, err, errGone)
}

func TestSettings_UpdateAndConflict(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.agent.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Channels.Phone = true
	set.Languages = append(set.Languages, "ja")
	up, err := f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	assert.Equal(t, c.Version+1, up.Version)
	assert.True(t, up.Channels.Phone)
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	set.DefaultLanguage = "fr"
	_, err = f.admin.Configuration().Update(ctx, up.Version, set)
	assert.Equal(t, []string{"default_language"}, problems(t, err))
	n := newTicket()
	n.Channel, n.Language = ticket.ChannelPhone, "ja"
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.NoError(t, err, "phone is contracted now")
}

func TestAgents_CreateAndList(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.admin.Agents().Create(ctx, agent.New{Name: "", Email: "not an email", Role: "boss"})
	assert.ElementsMatch(t, []string{"name", "email", "role"}, problems(t, err))
	_, err = f.admin.Agents().Create(ctx, agent.New{Name: "Dup", Email: "AGENT@acme.example", Role: agent.RoleAgent})
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	l, err := f.agent.Agents().List(ctx)
	require.NoError(t, err)
	assert.Len(t, l, 2)
	a, err := f.agent.Agents().Get(ctx, f.adminID)
	require.NoError(t, err)
	assert.Equal(t, agent.RoleAdmin, a.Role)
	_, err = f.agent.Agents().Get(ctx, f.foreignAgentID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func TestTickets_ListAndByNumber(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 3 {
		f.ticket(t)
	}
	p, err := f.agent.Tickets().List(ctx, ticket.Filter{Limit: 2})
	require.NoError(t, err)
	require.Len(t, p.Tickets, 2)
	assert.Equal(t, int64(3), p.Tickets[0].Number)
	p, err = f.agent.Tickets().List(ctx, ticket.Filter{Limit: 2, Cursor: p.Next})
	require.NoError(t, err)
	require.Len(t, p.Tickets, 1)
	assert.Empty(t, p.Next)
	tk, err := f.agent.Tickets().ByNumber(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, int64(2), tk.Number)
	_, err = f.agent.Tickets().List(ctx, ticket.Filter{Cursor: "zzz"})
	assert.Equal(t, []string{"cursor"}, problems(t, err))
}

// blockingWriter blocks its first write until released.
type blockingWriter struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	n       int
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() {
		close(w.started)
		<-w.release
	})
	w.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// Review fix: an export pages through the history, so a slow reader holds
// no transaction and blocks nobody; every row comes once, in order.
func TestExportHistory_PagesAndBlocksNobody(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	for range 2500 {
		_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "n", Internal: true})
		require.NoError(t, err)
	}
	w := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error)
	go func() { done <- f.admin.Tickets().ExportHistory(ctx, w, helpdesk.JSONLines, ticket.ChangeFilter{}) }()
	<-w.started
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := f.sys.Tickets().Create(cctx, newTicket())
	require.NoError(t, err, "a stalled export does not block the service")
	close(w.release)
	require.NoError(t, <-done)
	assert.GreaterOrEqual(t, w.n, 2501)

	var out bytes.Buffer
	require.NoError(t, f.admin.Tickets().ExportHistory(ctx, &out, helpdesk.JSONLines, ticket.ChangeFilter{TicketID: tk.ID}))
	var last int64
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2501)
	for _, l := range lines {
		var c ticket.Change
		require.NoError(t, json.Unmarshal([]byte(l), &c))
		require.Greater(t, c.ID, last)
		last = c.ID
	}
}
