package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// testCopyPrimitives: the store primitives a copy of a service between
// stores needs (STO-2) — Tickets.Import, Groups.Cursor, Categories.All.
func testCopyPrimitives(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Import", func(t *testing.T) {
		t.Run("KeepsNumberAndHistory_NextContinues", func(t *testing.T) {
			svc := newService(t, s)
			tk := mkTicket(1)
			tk.Number, tk.ServiceID = 1, svc
			h := []ticket.Change{{TicketID: tk.ID, At: base, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated}}
			cs := []ticket.Comment{mkComment(tk.ID, 1), mkComment(tk.ID, 2)}
			cs[1].AuthorKind, cs[1].AuthorID, cs[1].FromCustomer = ticket.ActorAgent, "agent-1", true
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Import(ctx, tk, h, cs) })
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, tk, got)
			assert.Equal(t, cs, comments(t, s, svc, tk.ID))
			hs := changesOf(t, s, svc, tk.ID)
			require.Len(t, hs, 1)
			assert.Equal(t, ticket.EventCreated, hs[0].Event)
			next := create(t, s, svc, mkTicket(2))
			assert.Equal(t, int64(2), next.Number, "the next ticket continues after the imported number")
		})
		t.Run("TakenNumber_Conflict", func(t *testing.T) {
			svc := newService(t, s)
			first := create(t, s, svc, mkTicket(1))
			tk := mkTicket(2)
			tk.Number = first.Number
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Tickets().Import(ctx, tk, nil, nil) })
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
		})
		t.Run("RowsOfAnotherTicket_Invalid", func(t *testing.T) {
			svc := newService(t, s)
			tk := mkTicket(1)
			tk.Number = 1
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				return r.Tickets().Import(ctx, tk, nil, []ticket.Comment{mkComment(newID(), 1)})
			})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
			_, err = get(t, s, svc, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "nothing was written")
		})
		t.Run("UnknownService_NotFound", func(t *testing.T) {
			tk := mkTicket(1)
			tk.Number = 1
			err := s.Tx(ctx, newID(), func(r helpdesk.Repos) error { return r.Tickets().Import(ctx, tk, nil, nil) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
	})
	t.Run("Cursor", func(t *testing.T) {
		t.Run("ReadsWithoutMoving", func(t *testing.T) {
			svc := newService(t, s)
			g := mkGroup(t, s, svc, "g", 0)
			a := mkAgent(t, s, svc, "a")
			var m agent.Membership
			tx(t, s, svc, func(r helpdesk.Repos) (err error) {
				m, err = r.Groups().AddMember(ctx, g.ID, a.ID, base)
				return err
			})
			cursor := func() int64 {
				return mustRead(t, s, svc, func(r helpdesk.Repos) (int64, error) { return r.Groups().Cursor(ctx, g.ID) })
			}
			assert.Equal(t, int64(0), cursor())
			tx(t, s, svc, func(r helpdesk.Repos) error {
				_, err := r.Groups().AdvanceCursor(ctx, g.ID, []int64{m.Seq})
				return err
			})
			assert.Equal(t, m.Seq, cursor())
			assert.Equal(t, m.Seq, cursor())
		})
		t.Run("UnknownGroup_NotFound", func(t *testing.T) {
			svc := newService(t, s)
			_, err := read(s, svc, func(r helpdesk.Repos) (int64, error) { return r.Groups().Cursor(ctx, newID()) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
	})
	t.Run("All", func(t *testing.T) {
		t.Run("EveryTree_DeletedIncluded", func(t *testing.T) {
			svc := catService(t, s)
			root := catRow(category.Intake, nil, 0, names("가", "a"))
			child := catRow(category.Intake, &root, 0, names("나", "b"))
			gone := catRow(category.Processing, nil, 0, names("다", "c"))
			gone.Deleted = true
			catInsert(t, s, svc, root, child, gone)
			all := mustRead(t, s, svc, func(r helpdesk.Repos) ([]category.Category, error) { return r.Categories().All(ctx) })
			sortByID(all, func(c category.Category) string { return c.ID })
			want := []category.Category{root, child, gone}
			sortByID(want, func(c category.Category) string { return c.ID })
			assert.Equal(t, want, all)
		})
	})
}

func changesOf(t testing.TB, s helpdesk.Store, svc, ticketID string) []ticket.Change {
	t.Helper()
	var hs []ticket.Change
	require.NoError(t, s.Tx(context.Background(), svc, func(r helpdesk.Repos) error {
		return r.Tickets().ScanChanges(context.Background(), ticket.ChangeFilter{TicketID: ticketID}, func(c ticket.Change) error {
			hs = append(hs, c)
			return nil
		})
	}))
	return hs
}

func sortByID[T any](l []T, id func(T) string) {
	slices.SortFunc(l, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
}

// testCopyService: CopyService copies a busy service to a second store of
// the same kind, resumes after an interruption without duplicates, and
// refuses to overwrite a service it did not start (STO-2). The
// cross-store copies (SQLite to Postgres and memory) are in
// adapters/sqlite.
func testCopyService(t *testing.T, o Options) {
	t.Run("Whole", func(t *testing.T) {
		from, to := o.New(t), o.New(t)
		svc := newID()
		FillService(t, from, svc, 120)
		rep, err := helpdesk.CopyService(context.Background(), from, to, svc, helpdesk.CopyOptions{PageSize: 50})
		require.NoError(t, err)
		assert.Equal(t, 120, rep.Tickets)
		AssertCopied(t, from, to, svc)
	})
	t.Run("Interrupted_Resumes", func(t *testing.T) {
		from, to := o.New(t), o.New(t)
		svc := newID()
		FillService(t, from, svc, 120)
		CopyInterrupted(t, from, to, svc)
		AssertCopied(t, from, to, svc)
	})
	t.Run("ExistingService_Refused", func(t *testing.T) {
		from, to := o.New(t), o.New(t)
		svc := newID()
		FillService(t, from, svc, 3)
		mkService(t, to, svc)
		_, err := helpdesk.CopyService(context.Background(), from, to, svc, helpdesk.CopyOptions{})
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		n := mustRead(t, to, svc, func(r helpdesk.Repos) (ticket.Page, error) {
			return r.Tickets().List(context.Background(), ticket.Query{Filter: ticket.Filter{Limit: 10}})
		})
		assert.Empty(t, n.Tickets, "nothing was written into the existing service")
	})
}

// CopyInterrupted copies service svc from one store to another with a
// Progress callback that ends the context after the second page of
// tickets, checks that the copy stopped there, then copies again and
// checks that the second call resumed and completed it (STO-2).
func CopyInterrupted(t testing.TB, from, to helpdesk.Store, svc string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pages := 0
	first, err := helpdesk.CopyService(ctx, from, to, svc, helpdesk.CopyOptions{PageSize: 20, Progress: func(p helpdesk.CopyProgress) {
		if p.Phase == "tickets" {
			if pages++; pages == 2 {
				cancel()
			}
		}
	}})
	require.Error(t, err, "the copy stops when its context ends")
	assert.Equal(t, 40, first.Tickets)
	second, err := helpdesk.CopyService(context.Background(), from, to, svc, helpdesk.CopyOptions{PageSize: 20})
	require.NoError(t, err)
	assert.True(t, second.Resumed)
	assert.Zero(t, second.Agents, "the configuration was copied by the first call")
	total := mustReadTB(t, from, svc, func(r helpdesk.Repos) (ticket.Page, error) {
		return r.Tickets().List(context.Background(), ticket.Query{Filter: ticket.Filter{Limit: 1}})
	})
	require.NotEmpty(t, total.Tickets)
	assert.Equal(t, int(total.Tickets[0].Number)-40, second.Tickets, "the second call copies only the rest")
	third, err := helpdesk.CopyService(context.Background(), from, to, svc, helpdesk.CopyOptions{})
	require.NoError(t, err)
	assert.Zero(t, third.Rows, "a copy called again after it completed writes nothing")
}

// FillService creates service svc in s and fills it through the port: n
// tickets, each with comments and history (some with a Dooray! link),
// agents, round-robin groups with members and advanced cursors, menu
// access, recipients, the surge state, categories of both trees (a deleted
// one too), fields and layouts, templates, forbidden words, triggers,
// outbox messages (pending and sent) and the login log.
func FillService(t testing.TB, s helpdesk.Store, svc string, n int) {
	t.Helper()
	ctx := context.Background()
	do := func(fn func(r helpdesk.Repos) error) { t.Helper(); require.NoError(t, s.Tx(ctx, svc, fn)) }
	do(func(r helpdesk.Repos) error { return r.Service().Create(ctx, cfg(svc)) })
	var agents []agent.Agent
	root := catRow(category.Intake, nil, 0, names("문의", "Questions"))
	child := catRow(category.Intake, &root, 0, names("결제", "Billing"))
	proc := catRow(category.Processing, nil, 0, names("처리", "Handling"))
	gone := catRow(category.Processing, nil, 1, names("옛", "Old"))
	gone.Deleted = true
	do(func(r helpdesk.Repos) error {
		for _, c := range []category.Category{root, child, proc, gone} {
			if err := r.Categories().Insert(ctx, c); err != nil {
				return err
			}
		}
		for i, f := range []field.Field{userField("size", field.KindCustomer, field.TypeSelect, 1), userField("note", field.KindAgent, field.TypeText, 2)} {
			if err := r.Fields().Insert(ctx, f); err != nil {
				return fmt.Errorf("field %d: %w", i, err)
			}
		}
		if err := r.Fields().PutLayouts(ctx, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: root.ID, Keys: []string{"size"}}); err != nil {
			return err
		}
		for i := range 5 {
			if err := r.Templates().Insert(ctx, mkTemplate(fmt.Sprintf("code%d", i), fmt.Sprintf("title %d", i), "content", proc.ID)); err != nil {
				return err
			}
		}
		if err := r.Templates().InsertWords(ctx, tplNewWords("bad", "worse")); err != nil {
			return err
		}
		for i := range 3 {
			if err := r.Triggers().Insert(ctx, mkTrigger(fmt.Sprintf("trigger %d", i), i != 1, i)); err != nil {
				return err
			}
		}
		for i := range 6 {
			a := newAgent(fmt.Sprintf("agent%d", i))
			a.CreatedAt = agentAt(i)
			agents = append(agents, a)
			if err := r.Agents().Create(ctx, a); err != nil {
				return err
			}
		}
		if err := r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuPhone, Partial: true, Restricted: []string{agents[0].ID}}); err != nil {
			return err
		}
		if err := r.Recipients().Create(ctx, notify.Recipient{ID: newID(), Name: "ops", Email: "ops@example.com", CreatedAt: base, UpdatedAt: base}); err != nil {
			return err
		}
		if err := r.Mail().PutMailbox(ctx, mail.Mailbox{ID: "inbox", Address: "help@example.com", Host: "imap.example.com", Port: 993,
			TLS: mail.TLSImplicit, User: "help", Secret: "secret", Folder: "INBOX", Enabled: true, CreatedAt: base, UpdatedAt: base}); err != nil {
			return err
		}
		if err := r.Mail().PutSync(ctx, mail.Sync{MailboxID: "inbox", UIDValidity: 7, LastUID: 42, LastSyncAt: base}); err != nil {
			return err
		}
		if _, err := r.Surge().LockLastAlert(ctx); err != nil {
			return err
		}
		return r.Surge().SetLastAlert(ctx, base.Add(time.Hour))
	})
	do(func(r helpdesk.Repos) error {
		for gi := range 2 {
			g := newGroup(fmt.Sprintf("group %d", gi), gi)
			g.Strategy = agent.StrategyRoundRobin
			if err := r.Groups().Insert(ctx, g); err != nil {
				return err
			}
			var seqs []int64
			for ai := gi; ai < len(agents); ai += 2 {
				m, err := r.Groups().AddMember(ctx, g.ID, agents[ai].ID, agentAt(ai))
				if err != nil {
					return err
				}
				seqs = append(seqs, m.Seq)
			}
			for range gi + 1 {
				if _, err := r.Groups().AdvanceCursor(ctx, g.ID, seqs); err != nil {
					return err
				}
			}
		}
		for i := range 30 {
			e := agent.LoginEvent{ID: newID(), AgentID: agents[i%len(agents)].ID, Kind: agent.Login, At: base.Add(time.Duration(i) * time.Minute), Address: "10.0.0.1", UserAgent: "test"}
			if err := r.Logins().Add(ctx, e); err != nil {
				return err
			}
		}
		ms := make([]notify.Message, 0, 20)
		for i := range 20 {
			m := mkMessage(i)
			if i%4 == 0 {
				m.State, m.Attempts, m.SentAt = notify.Sent, 1, m.CreatedAt.Add(time.Second)
			}
			ms = append(ms, m)
		}
		return r.Outbox().Enqueue(ctx, ms...)
	})
	for lo := 0; lo < n; lo += 200 {
		do(func(r helpdesk.Repos) error {
			for i := lo; i < min(lo+200, n); i++ {
				tk := mkTicket(i)
				tk.IntakeCategoryID, tk.ProcessingCategoryID = child.ID, proc.ID
				if i%3 == 0 {
					tk.AssigneeID, tk.Status, tk.Tags = agents[i%len(agents)].ID, ticket.StatusOpen, []string{"vip"}
				}
				if i%5 == 0 {
					tk.ProcessingCategoryID = gone.ID
				}
				h := []ticket.Change{{TicketID: tk.ID, At: tk.CreatedAt, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated}}
				if err := r.Tickets().Create(ctx, &tk, h); err != nil {
					return err
				}
				for j := range 2 {
					if err := r.Tickets().AddComment(ctx, mkComment(tk.ID, i*2+j)); err != nil {
						return err
					}
				}
				err := r.Tickets().AddChanges(ctx, []ticket.Change{
					{TicketID: tk.ID, At: tk.CreatedAt.Add(time.Minute), ActorKind: ticket.ActorAgent, ActorID: agents[0].ID, Event: ticket.EventUpdated, Field: "status", From: "new", To: "open"},
					{TicketID: tk.ID, At: tk.CreatedAt.Add(2 * time.Minute), ActorKind: ticket.ActorAgent, ActorID: agents[1].ID, Event: ticket.EventAgentReplied},
				})
				if err != nil {
					return err
				}
				if i%7 == 0 {
					rec := mail.Record{MailboxID: "inbox", MessageID: fmt.Sprintf("<m%d@example.com>", i), TicketID: tk.ID,
						Outcome: mail.Created, Original: "From: c@example.com\r\n\r\nhi", ReceivedAt: tk.CreatedAt}
					if err := r.Mail().Add(ctx, rec); err != nil {
						return err
					}
					f := mail.File{ID: newID(), TicketID: tk.ID, MailboxID: "inbox", MessageID: rec.MessageID, Name: "a.txt",
						ContentType: "text/plain", Size: 3, Kept: true, Content: []byte("abc"), CreatedAt: tk.CreatedAt}
					if err := r.Mail().AddFile(ctx, f); err != nil {
						return err
					}
				}
				if i%10 == 0 {
					l := helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "p1", PostID: fmt.Sprintf("post-%d", i), CreatedAt: tk.CreatedAt}
					if err := r.DoorayLinks().Insert(ctx, l); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
}

// serviceDump is everything a service holds, read through the port, in a
// form two stores can be compared in: history row ids and membership Seqs
// are the store's own, so they are left out; a group's round-robin cursor
// is the agent it points at.
type serviceDump struct {
	Config     helpdesk.ServiceConfig
	Agents     []agent.Agent
	Groups     []agent.Group
	Members    map[string][]agent.Membership
	CursorAt   map[string]string
	Menus      []agent.MenuAccess
	Recipients []notify.Recipient
	LastAlert  time.Time
	Categories []category.Category
	Fields     []field.Field
	Layouts    []field.Layout
	Templates  []template.Template
	Words      []template.ForbiddenWord
	Triggers   []trigger.Trigger
	Tickets    []ticket.Ticket
	Comments   map[string][]ticket.Comment
	Changes    map[string][]ticket.Change
	Links      map[string]helpdesk.DoorayLink
	Messages   []notify.Message
	Logins     []agent.LoginEvent
	Mailboxes  []mail.Mailbox
	Syncs      []mail.Sync
	Records    map[string][]mail.Record
	Files      map[string][]mail.File
}

func dump(t testing.TB, s helpdesk.Store, svc string) serviceDump {
	t.Helper()
	ctx := context.Background()
	d := serviceDump{Members: map[string][]agent.Membership{}, CursorAt: map[string]string{},
		Comments: map[string][]ticket.Comment{}, Changes: map[string][]ticket.Change{}, Links: map[string]helpdesk.DoorayLink{},
		Records: map[string][]mail.Record{}, Files: map[string][]mail.File{}}
	require.NoError(t, s.Tx(ctx, svc, func(r helpdesk.Repos) (err error) {
		if d.Config, err = r.Service().Get(ctx); err != nil {
			return err
		}
		if d.Agents, err = r.Agents().List(ctx); err != nil {
			return err
		}
		if d.Groups, err = r.Groups().List(ctx); err != nil {
			return err
		}
		for _, g := range d.Groups {
			ms, err := r.Groups().Members(ctx, g.ID)
			if err != nil {
				return err
			}
			cur, err := r.Groups().Cursor(ctx, g.ID)
			if err != nil {
				return err
			}
			for i := range ms {
				if ms[i].Seq == cur {
					d.CursorAt[g.ID] = ms[i].AgentID
				}
				ms[i].Seq = 0
			}
			d.Members[g.ID] = ms
		}
		for _, m := range agent.Menus {
			a, err := r.Menus().Get(ctx, m)
			if err != nil {
				return err
			}
			d.Menus = append(d.Menus, a)
		}
		if d.Recipients, err = r.Recipients().List(ctx); err != nil {
			return err
		}
		if d.LastAlert, err = r.Surge().LockLastAlert(ctx); err != nil {
			return err
		}
		if d.Categories, err = r.Categories().All(ctx); err != nil {
			return err
		}
		sortByID(d.Categories, func(c category.Category) string { return c.ID })
		if d.Fields, err = r.Fields().Rows(ctx); err != nil {
			return err
		}
		sortByID(d.Fields, func(f field.Field) string { return f.Key })
		if d.Layouts, err = r.Fields().Layouts(ctx); err != nil {
			return err
		}
		sortByID(d.Layouts, func(l field.Layout) string { return string(l.Kind) + "/" + l.IntakeCategoryID })
		if d.Templates, err = r.Templates().Find(ctx, template.Query{}); err != nil {
			return err
		}
		sortByID(d.Templates, func(x template.Template) string { return x.ID })
		wl, err := r.Templates().Words(ctx, "")
		if err != nil {
			return err
		}
		d.Words = wl.Words
		if d.Triggers, err = r.Triggers().List(ctx); err != nil {
			return err
		}
		if d.Mailboxes, err = r.Mail().Mailboxes(ctx); err != nil {
			return err
		}
		for _, m := range d.Mailboxes {
			if sy, err := r.Mail().GetSync(ctx, m.ID); err == nil {
				d.Syncs = append(d.Syncs, sy)
			} else if !errors.Is(err, helpdesk.ErrNotFound) {
				return err
			}
		}
		q := ticket.Query{Filter: ticket.Filter{Limit: ticket.MaxPageSize}}
		for {
			p, err := r.Tickets().List(ctx, q)
			if err != nil {
				return err
			}
			d.Tickets = append(d.Tickets, p.Tickets...)
			if p.Next == "" || len(p.Tickets) == 0 {
				break
			}
			q.Before = p.Tickets[len(p.Tickets)-1].Number
		}
		for _, tk := range d.Tickets {
			if d.Comments[tk.ID], err = r.Tickets().Comments(ctx, tk.ID); err != nil {
				return err
			}
			if recs, err := r.Mail().ByTicket(ctx, tk.ID); err != nil {
				return err
			} else if len(recs) > 0 {
				d.Records[tk.ID] = recs
			}
			fs, err := r.Mail().Files(ctx, tk.ID)
			if err != nil {
				return err
			}
			for _, f := range fs {
				f, err := r.Mail().GetFile(ctx, f.ID)
				if err != nil {
					return err
				}
				d.Files[tk.ID] = append(d.Files[tk.ID], f)
			}
			if l, err := r.DoorayLinks().ByTicket(ctx, tk.ID); err == nil {
				d.Links[tk.ID] = l
			} else if !errors.Is(err, helpdesk.ErrNotFound) {
				return err
			}
		}
		return r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(c ticket.Change) error {
			c.ID = 0
			d.Changes[c.TicketID] = append(d.Changes[c.TicketID], c)
			return nil
		})
	}))
	d.Messages = readPages(t, s, svc, func(r helpdesk.Repos, cursor string) ([]notify.Message, string, error) {
		q, err := notify.Filter{Limit: ticket.MaxPageSize, Cursor: cursor}.Query()
		if err != nil {
			return nil, "", err
		}
		p, err := r.Outbox().List(ctx, q)
		return p.Messages, p.Next, err
	})
	d.Logins = readPages(t, s, svc, func(r helpdesk.Repos, cursor string) ([]agent.LoginEvent, string, error) {
		q, err := agent.LoginFilter{Limit: ticket.MaxPageSize, Cursor: cursor}.Query()
		if err != nil {
			return nil, "", err
		}
		p, err := r.Logins().List(ctx, q)
		return p.Events, p.Next, err
	})
	return d
}

// readPages reads every page list returns, each in a transaction of its
// own, following its cursors.
func readPages[T any](t testing.TB, s helpdesk.Store, svc string, list func(r helpdesk.Repos, cursor string) ([]T, string, error)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for {
		var rows []T
		require.NoError(t, s.Tx(context.Background(), svc, func(r helpdesk.Repos) (err error) {
			rows, cursor, err = list(r, cursor)
			return err
		}))
		out = append(out, rows...)
		if cursor == "" {
			return out
		}
	}
}

func mustReadTB[T any](t testing.TB, s helpdesk.Store, service string, fn func(helpdesk.Repos) (T, error)) T {
	t.Helper()
	out, err := read(s, service, fn)
	require.NoError(t, err)
	return out
}

// AssertCopied checks that service svc holds the same rows in both stores,
// repository by repository (STO-2), and that the next ticket created in
// the copy continues the source's numbers. It creates that ticket in to.
func AssertCopied(t testing.TB, from, to helpdesk.Store, svc string) {
	t.Helper()
	want, got := dump(t, from, svc), dump(t, to, svc)
	assert.Equal(t, want.Config, got.Config, "settings")
	assert.Equal(t, want.Agents, got.Agents, "agents")
	assert.Equal(t, want.Groups, got.Groups, "groups")
	assert.Equal(t, want.Members, got.Members, "members in join order")
	assert.Equal(t, want.CursorAt, got.CursorAt, "round-robin cursors")
	assert.Equal(t, want.Menus, got.Menus, "menu access")
	assert.Equal(t, want.Recipients, got.Recipients, "recipients")
	assert.True(t, want.LastAlert.Equal(got.LastAlert), "surge state: %v, want %v", got.LastAlert, want.LastAlert)
	assert.Equal(t, want.Categories, got.Categories, "categories, deleted ones included")
	assert.Equal(t, want.Fields, got.Fields, "fields")
	assert.Equal(t, want.Layouts, got.Layouts, "layouts")
	assert.Equal(t, want.Templates, got.Templates, "templates")
	assert.Equal(t, want.Words, got.Words, "forbidden words")
	assert.Equal(t, want.Triggers, got.Triggers, "triggers in their order")
	require.Equal(t, len(want.Tickets), len(got.Tickets), "tickets")
	assert.Equal(t, want.Tickets, got.Tickets, "tickets with their numbers")
	assert.Equal(t, want.Comments, got.Comments, "comments")
	assert.Equal(t, want.Changes, got.Changes, "history")
	assert.Equal(t, want.Links, got.Links, "Dooray! links")
	assert.Equal(t, want.Messages, got.Messages, "outbox")
	assert.Equal(t, want.Logins, got.Logins, "login log")
	assert.Equal(t, want.Mailboxes, got.Mailboxes, "mailboxes")
	assert.Equal(t, want.Syncs, got.Syncs, "mailbox sync state")
	assert.NotEmpty(t, got.Records, "mail records")
	assert.Equal(t, want.Records, got.Records, "mail records")
	assert.Equal(t, want.Files, got.Files, "attachments with their content")

	var last int64
	if len(want.Tickets) > 0 {
		last = want.Tickets[0].Number
	}
	tk := mkTicket(1 << 20)
	require.NoError(t, to.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Tickets().Create(context.Background(), &tk, nil) }))
	assert.Equal(t, last+1, tk.Number, "the next ticket number continues where the source stopped")
}
