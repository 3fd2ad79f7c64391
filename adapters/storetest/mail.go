package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// testMailRepository: mail records are unique per (mailbox, Message-ID),
// not per service (MAIL-3); Find looks across the service's mailboxes for
// records that went to a ticket, newest first; records outlive nothing and
// are scoped to their service (SVC-1).
func testMailRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	rec := func(box, id, tk string) mail.Record {
		return mail.Record{MailboxID: box, MessageID: id, TicketID: tk, Outcome: mail.Created, Reason: "r", Original: "원문 > quoted", ReceivedAt: base}
	}
	add := func(svc string, r mail.Record) error {
		return s.Tx(ctx, svc, func(rs helpdesk.Repos) error { return rs.Mail().Add(ctx, r) })
	}
	t.Run("Add", func(t *testing.T) {
		t.Run("RoundTrip", func(t *testing.T) {
			svc := newService(t, s)
			r := rec("inbox", "a@example.com", "t1")
			r.CommentID = "c1"
			require.NoError(t, add(svc, r))
			got := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Get(ctx, "inbox", "a@example.com") })
			assert.Equal(t, r, got)
		})
		t.Run("DuplicateInMailbox_MAIL3", func(t *testing.T) {
			svc := newService(t, s)
			require.NoError(t, add(svc, rec("inbox", "a@x", "t1")))
			assert.ErrorIs(t, add(svc, rec("inbox", "a@x", "t2")), helpdesk.ErrConflict)
			// the same message in another mailbox, or another service, is another record
			require.NoError(t, add(svc, rec("sales", "a@x", "t3")))
			require.NoError(t, add(newService(t, s), rec("inbox", "a@x", "t4")))
		})
		t.Run("UnknownService", func(t *testing.T) {
			assert.ErrorIs(t, add(newID(), rec("inbox", "a@x", "t1")), helpdesk.ErrNotFound)
		})
		t.Run("RolledBack", func(t *testing.T) {
			svc := newService(t, s)
			err := s.Tx(ctx, svc, func(rs helpdesk.Repos) error {
				require.NoError(t, rs.Mail().Add(ctx, rec("inbox", "a@x", "t1")))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			_, err = read(s, svc, func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Get(ctx, "inbox", "a@x") })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			require.NoError(t, add(svc, rec("inbox", "a@x", "t1")))
		})
		t.Run("Concurrent", func(t *testing.T) {
			svc := newService(t, s)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() { errs[i] = add(svc, rec("inbox", "same@x", "t")) })
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					assert.ErrorIs(t, err, helpdesk.ErrConflict)
				}
			}
			assert.Equal(t, 1, ok)
		})
	})
	t.Run("Get", func(t *testing.T) {
		t.Run("Missing", func(t *testing.T) {
			svc := newService(t, s)
			require.NoError(t, add(svc, rec("inbox", "a@x", "t1")))
			_, err := read(s, svc, func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Get(ctx, "other", "a@x") })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			_, err = read(s, newService(t, s), func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Get(ctx, "inbox", "a@x") })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's record (SVC-1)")
		})
	})
	t.Run("Find", func(t *testing.T) {
		t.Run("NewestWithTicket", func(t *testing.T) {
			svc := newService(t, s)
			require.NoError(t, add(svc, rec("inbox", "a@x", "t1")))
			require.NoError(t, add(svc, rec("sales", "b@x", "t2")))
			ignored := rec("inbox", "c@x", "")
			ignored.Outcome = mail.Ignored
			require.NoError(t, add(svc, ignored))
			got := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.Record, error) {
				return rs.Mail().Find(ctx, []string{"a@x", "b@x", "c@x"})
			})
			assert.Equal(t, "t2", got.TicketID)
			_, err := read(s, svc, func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Find(ctx, []string{"c@x", "zz"}) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			_, err = read(s, svc, func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Find(ctx, nil) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			_, err = read(s, newService(t, s), func(rs helpdesk.Repos) (mail.Record, error) { return rs.Mail().Find(ctx, []string{"a@x"}) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's record (SVC-1)")
		})
	})
	t.Run("ByTicket", func(t *testing.T) {
		t.Run("OldestFirst", func(t *testing.T) {
			svc := newService(t, s)
			for _, id := range []string{"3@x", "1@x", "2@x"} {
				require.NoError(t, add(svc, rec("inbox", id, "t1")))
			}
			require.NoError(t, add(svc, rec("inbox", "other@x", "t2")))
			got := mustRead(t, s, svc, func(rs helpdesk.Repos) ([]mail.Record, error) { return rs.Mail().ByTicket(ctx, "t1") })
			var ids []string
			for _, r := range got {
				ids = append(ids, r.MessageID)
			}
			assert.Equal(t, []string{"3@x", "1@x", "2@x"}, ids)
		})
	})
}

// testMailWorkflow runs inbound mail through helpdesk.Desk.ReceiveMail on
// the store under test: a new mail creates a ticket (MAIL-1), a reply joins
// it (MAIL-3), the same mail twice is one ticket, concurrent deliveries of
// one mail make one ticket, automatic mail is ignored (MAIL-4).
func testMailWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	set := cfg("acme").Settings
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: set})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	first := mail.Message{MessageID: "q1@customer.example", From: mail.Address{Name: "Lee", Address: "lee@customer.example"},
		Subject: "로그인이 안 됩니다", Text: "도와주세요", Language: "en"}
	r1, err := desk.ReceiveMail(ctx, "acme", "inbox", first)
	require.NoError(t, err)
	assert.Equal(t, mail.Created, r1.Outcome)
	tk, err := sys.Tickets().Get(ctx, r1.TicketID)
	require.NoError(t, err)
	assert.Equal(t, ticket.ChannelEmail, tk.Channel)
	assert.Equal(t, "en", tk.Language)
	assert.Equal(t, "lee@customer.example", tk.Requester.Email)

	t.Run("Duplicate_MAIL3", func(t *testing.T) {
		again, err := desk.ReceiveMail(ctx, "acme", "inbox", first)
		require.NoError(t, err)
		assert.Equal(t, mail.Duplicate, again.Outcome)
		assert.Equal(t, r1.TicketID, again.TicketID)
	})
	t.Run("Reply_MAIL3", func(t *testing.T) {
		reply := mail.Message{MessageID: "q2@customer.example", InReplyTo: []string{"q1@customer.example"},
			From: first.From, Subject: "Re: " + first.Subject, Text: "still broken\n\nOn Mon, Kim wrote:\n> old"}
		r2, err := desk.ReceiveMail(ctx, "acme", "inbox", reply)
		require.NoError(t, err)
		assert.Equal(t, mail.Replied, r2.Outcome)
		assert.Equal(t, r1.TicketID, r2.TicketID)
		cs, err := sys.Tickets().Comments(ctx, r1.TicketID)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.Equal(t, "still broken", cs[0].Body)
		assert.True(t, cs[0].FromCustomer)
		recs := mustRead(t, s, "acme", func(rs helpdesk.Repos) ([]mail.Record, error) { return rs.Mail().ByTicket(ctx, r1.TicketID) })
		require.Len(t, recs, 2)
		assert.Equal(t, reply.Text, recs[1].Original)
	})
	t.Run("Noise_MAIL4", func(t *testing.T) {
		auto := mail.Message{MessageID: "ooo@customer.example", From: first.From, Subject: "Out of office",
			Text: "away", Header: map[string]string{"Auto-Submitted": "auto-replied"}}
		r, err := desk.ReceiveMail(ctx, "acme", "inbox", auto)
		require.NoError(t, err)
		assert.Equal(t, mail.Ignored, r.Outcome)
		assert.Empty(t, r.TicketID)
	})
	t.Run("ConcurrentSameMail_MAIL3", func(t *testing.T) {
		m := mail.Message{MessageID: "race@customer.example", From: first.From, Subject: "race", Text: "once"}
		var wg sync.WaitGroup
		res := make([]mail.Record, 4)
		errs := make([]error, 4)
		for i := range res {
			wg.Go(func() { res[i], errs[i] = desk.ReceiveMail(ctx, "acme", "inbox", m) })
		}
		wg.Wait()
		created := 0
		for i := range res {
			require.NoError(t, errs[i])
			if res[i].Outcome == mail.Created {
				created++
			}
			assert.Equal(t, res[0].TicketID, res[i].TicketID)
		}
		assert.Equal(t, 1, created)
		p, err := sys.Tickets().List(ctx, ticket.Filter{RequesterEmail: first.From.Address})
		require.NoError(t, err)
		n := 0
		for _, t := range p.Tickets {
			if t.Title == "race" {
				n++
			}
		}
		assert.Equal(t, 1, n)
	})
	t.Run("UnknownService", func(t *testing.T) {
		_, err := desk.ReceiveMail(ctx, "nope", "inbox", first)
		assert.True(t, errors.Is(err, helpdesk.ErrNotFound), "%v", err)
	})
}

// testMailSync: the IMAP sync state of a mailbox (MAIL-10) round-trips,
// LockSync makes a zero state on first use, and the lease taken through
// helpdesk.Desk lets one owner at a time sync a mailbox, also under
// concurrency.
func testMailSync(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("RoundTrip", func(t *testing.T) {
		svc := newService(t, s)
		_, err := read(s, svc, func(rs helpdesk.Repos) (mail.Sync, error) { return rs.Mail().GetSync(ctx, "inbox") })
		require.ErrorIs(t, err, helpdesk.ErrNotFound)
		zero := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.Sync, error) { return rs.Mail().LockSync(ctx, "inbox") })
		assert.Equal(t, mail.Sync{MailboxID: "inbox"}, zero)
		want := mail.Sync{MailboxID: "inbox", UIDValidity: 4294967295, LastUID: 4294967290, Owner: "p1",
			LeaseUntil: base.Add(time.Minute), LastSyncAt: base, LastError: "imap: 연결 끊김"}
		tx(t, s, svc, func(rs helpdesk.Repos) error { return rs.Mail().PutSync(ctx, want) })
		got := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.Sync, error) { return rs.Mail().LockSync(ctx, "inbox") })
		assert.Equal(t, want, got)
		_, err = read(s, newService(t, s), func(rs helpdesk.Repos) (mail.Sync, error) { return rs.Mail().GetSync(ctx, "inbox") })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's state (SVC-1)")
	})
	t.Run("Lease", func(t *testing.T) {
		now := base
		var mu sync.Mutex
		desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
		require.NoError(t, err)
		svc := newService(t, s)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = desk.LeaseMailbox(ctx, svc, "inbox", fmt.Sprint("p", i), time.Minute) })
		}
		wg.Wait()
		won := ""
		for i, err := range errs {
			if err == nil {
				assert.Empty(t, won, "one owner at a time")
				won = fmt.Sprint("p", i)
			} else {
				assert.ErrorIs(t, err, helpdesk.ErrConflict)
			}
		}
		require.NotEmpty(t, won)
		require.NoError(t, desk.SaveMailboxSync(ctx, svc, won, mail.Sync{MailboxID: "inbox", UIDValidity: 7, LastUID: 10}))
		assert.ErrorIs(t, desk.SaveMailboxSync(ctx, svc, "intruder", mail.Sync{MailboxID: "inbox", UIDValidity: 7, LastUID: 99}), helpdesk.ErrConflict)
		require.NoError(t, desk.SaveMailboxSync(ctx, svc, won, mail.Sync{MailboxID: "inbox", UIDValidity: 7, LastUID: 3}))
		st, err := desk.MailboxSync(ctx, svc, "inbox")
		require.NoError(t, err)
		assert.Equal(t, uint32(10), st.LastUID, "the last UID never goes back")
		mu.Lock()
		now = now.Add(2 * time.Minute) // the lease expired
		mu.Unlock()
		st, err = desk.LeaseMailbox(ctx, svc, "inbox", "p9", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, uint32(7), st.UIDValidity)
		assert.ErrorIs(t, desk.SaveMailboxSync(ctx, svc, won, mail.Sync{MailboxID: "inbox"}), helpdesk.ErrConflict, "the lease is lost")
		require.NoError(t, desk.ReleaseMailbox(ctx, svc, "inbox", "p9"))
		_, err = desk.LeaseMailbox(ctx, svc, "inbox", won, time.Minute)
		assert.NoError(t, err, "released: free at once")
	})
}

// testMailboxRepository: mailboxes (MAIL-1, MAIL-2) round-trip with every
// field, PutMailbox replaces, Mailboxes lists by id, DeleteMailbox answers
// ErrNotFound for an unknown id, and each service sees its own (SVC-1).
func testMailboxRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newService(t, s)
	box := mail.Mailbox{ID: "support", Address: "support@acme.example", Host: "imap.acme.example", Port: 993, TLS: mail.TLSImplicit,
		User: "지원", Secret: "s3cret\u00e9", Folder: "INBOX/고객", Enabled: true, CreatedAt: base, UpdatedAt: base.Add(time.Second)}
	put := func(svc string, m mail.Mailbox) error {
		return s.Tx(ctx, svc, func(rs helpdesk.Repos) error { return rs.Mail().PutMailbox(ctx, m) })
	}
	require.NoError(t, put(svc, box))
	got := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.Mailbox, error) { return rs.Mail().GetMailbox(ctx, "support") })
	assert.Equal(t, box, got)
	box.Port, box.Enabled = 143, false
	require.NoError(t, put(svc, box))
	require.NoError(t, put(svc, mail.Mailbox{ID: "a-rep", Address: "help@acme.example", CreatedAt: base, UpdatedAt: base}))
	list := mustRead(t, s, svc, func(rs helpdesk.Repos) ([]mail.Mailbox, error) { return rs.Mail().Mailboxes(ctx) })
	require.Len(t, list, 2)
	assert.Equal(t, "a-rep", list[0].ID)
	assert.Equal(t, box, list[1])
	other := newService(t, s)
	_, err := read(s, other, func(rs helpdesk.Repos) (mail.Mailbox, error) { return rs.Mail().GetMailbox(ctx, "support") })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's mailbox (SVC-1)")
	assert.Empty(t, mustRead(t, s, other, func(rs helpdesk.Repos) ([]mail.Mailbox, error) { return rs.Mail().Mailboxes(ctx) }))
	assert.ErrorIs(t, s.Tx(ctx, other, func(rs helpdesk.Repos) error { return rs.Mail().DeleteMailbox(ctx, "support") }), helpdesk.ErrNotFound)
	assert.ErrorIs(t, put(newID(), box), helpdesk.ErrNotFound, "unknown service")
	require.NoError(t, s.Tx(ctx, svc, func(rs helpdesk.Repos) error { return rs.Mail().DeleteMailbox(ctx, "support") }))
	_, err = read(s, svc, func(rs helpdesk.Repos) (mail.Mailbox, error) { return rs.Mail().GetMailbox(ctx, "support") })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

// testFileRepository: attachments of received mail (MAIL-8) round-trip
// with their content (binary, NUL bytes included), Files lists a ticket's
// without content in the order added, a taken id is ErrConflict, and each
// service reads its own only (SVC-1).
func testFileRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newService(t, s)
	add := func(svc string, f mail.File) error {
		return s.Tx(ctx, svc, func(rs helpdesk.Repos) error { return rs.Mail().AddFile(ctx, f) })
	}
	kept := mail.File{ID: "f1", TicketID: "t1", CommentID: "c1", MailboxID: "inbox", MessageID: "m@x", Name: "영수증.pdf",
		ContentType: "application/pdf", Size: 5, Kept: true, Content: []byte{0, 1, 0xff, 'P', 0}, CreatedAt: base}
	dropped := mail.File{ID: "f2", TicketID: "t1", Name: "big.bin", ContentType: "application/octet-stream", Size: 1 << 30, CreatedAt: base}
	require.NoError(t, add(svc, kept))
	require.NoError(t, add(svc, dropped))
	require.NoError(t, add(svc, mail.File{ID: "f3", TicketID: "t2", Name: "x", Size: 1, Kept: true, Content: []byte("x"), CreatedAt: base}))
	assert.ErrorIs(t, add(svc, kept), helpdesk.ErrConflict)
	got := mustRead(t, s, svc, func(rs helpdesk.Repos) (mail.File, error) { return rs.Mail().GetFile(ctx, "f1") })
	assert.Equal(t, kept, got)
	list := mustRead(t, s, svc, func(rs helpdesk.Repos) ([]mail.File, error) { return rs.Mail().Files(ctx, "t1") })
	require.Len(t, list, 2)
	assert.Equal(t, "f1", list[0].ID)
	assert.Nil(t, list[0].Content, "listed without content")
	assert.Equal(t, dropped, list[1])
	other := newService(t, s)
	_, err := read(s, other, func(rs helpdesk.Repos) (mail.File, error) { return rs.Mail().GetFile(ctx, "f1") })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's file (SVC-1)")
	assert.Empty(t, mustRead(t, s, other, func(rs helpdesk.Repos) ([]mail.File, error) { return rs.Mail().Files(ctx, "t1") }))
}
