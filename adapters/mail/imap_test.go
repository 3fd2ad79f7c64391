package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// migrated is the Postgres database every Postgres test here is cloned
// from, migrated once per test binary.
var migrated = pgtest.NewTemplate(func(ctx context.Context, dsn string) error {
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
})

func TestMain(m *testing.M) {
	code := m.Run()
	if err := migrated.Close(); err != nil && code == 0 {
		println("pgtest: drop the template:", err.Error())
		code = 1
	}
	os.Exit(code)
}

// imapPeer is go-imap's in-process server with one user and its INBOX.
type imapPeer struct {
	addr string
	user *imapmemserver.User
	// conns counts the connections accepted; cut, when set, closes each
	// of the first cut connections after budget bytes the server wrote.
	conns  atomic.Int64
	cut    int64
	budget int64
}

func newIMAPPeer(t testing.TB, cut, budget int64) *imapPeer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("acme", "secret")
	require.NoError(t, user.Create("INBOX", nil))
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &imapPeer{addr: l.Addr().String(), user: user, cut: cut, budget: budget}
	go func() { _ = srv.Serve(&cuttingListener{Listener: l, p: p}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// cuttingListener drops the first p.cut connections after p.budget bytes.
type cuttingListener struct {
	net.Listener
	p *imapPeer
}

func (l *cuttingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if n := l.p.conns.Add(1); n <= l.p.cut {
		return &cuttingConn{Conn: c, left: l.p.budget + n*97}, nil // a different cut point each time
	}
	return c, nil
}

type cuttingConn struct {
	net.Conn
	mu   sync.Mutex
	left int64
}

func (c *cuttingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int64(len(b)) > c.left {
		n, _ := c.Conn.Write(b[:c.left])
		_ = c.Conn.Close()
		c.left = 0
		return n, net.ErrClosed
	}
	c.left -= int64(len(b))
	return c.Conn.Write(b)
}

func (p *imapPeer) deliver(t testing.TB, raw string) {
	t.Helper()
	_, err := p.user.Append("INBOX", bytes.NewReader(crlf(raw)), &imap.AppendOptions{})
	require.NoError(t, err)
}

func customerMail(i int) string {
	return fmt.Sprintf("From: Customer %d <c%d@customer.example>\nTo: help@acme.example\nSubject: =?UTF-8?B?66y47J2Y?= %d\nMessage-ID: <q%d@customer.example>\nDate: Mon, 07 Dec 2026 10:00:00 +0900\nContent-Type: text/plain; charset=utf-8\n\n문의 %d 본문\n", i, i, i, i, i)
}

// newDesk returns a desk on store with service acme.
func newDesk(t testing.TB, store helpdesk.Store) *helpdesk.Desk {
	t.Helper()
	desk, err := helpdesk.New(helpdesk.Config{Store: store})
	require.NoError(t, err)
	_, err = desk.CreateService(context.Background(), helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	return desk
}

func newPoller(t testing.TB, desk *helpdesk.Desk, p *imapPeer, mods ...func(*mailx.PollerConfig)) *mailx.Poller {
	t.Helper()
	cfg := mailx.PollerConfig{Desk: desk, ServiceID: "acme", MailboxID: "inbox",
		IMAP:       mailx.IMAPConfig{Addr: p.addr, TLS: mailx.TLSNone, Username: "acme", Password: "secret"},
		MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, PollInterval: 20 * time.Millisecond, Lease: time.Minute}
	for _, m := range mods {
		m(&cfg)
	}
	pl, err := mailx.NewPoller(cfg)
	require.NoError(t, err)
	return pl
}

// tickets returns the titles of the service's tickets, counting each.
func tickets(t testing.TB, desk *helpdesk.Desk) map[string]int {
	t.Helper()
	out := map[string]int{}
	p, err := desk.Service("acme").As(helpdesk.System).Tickets().List(context.Background(), ticket.Filter{Limit: ticket.MaxPageSize})
	require.NoError(t, err)
	for _, tk := range p.Tickets {
		out[tk.Title]++
	}
	return out
}

func TestIMAP_MAIL1_MAIL3_NewMailThenReply(t *testing.T) {
	ctx := context.Background()
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	peer.deliver(t, customerMail(1))
	n, err := newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, map[string]int{"문의 1": 1}, tickets(t, desk))
	peer.deliver(t, "From: c1@customer.example\nSubject: Re: 문의 1\nMessage-ID: <q1r@customer.example>\nIn-Reply-To: <q1@customer.example>\n\nthanks\n\nOn Mon, ACME wrote:\n> answer\n")
	n, err = newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, map[string]int{"문의 1": 1}, tickets(t, desk), "the reply joined the ticket (MAIL-3)")
	p, err := desk.Service("acme").As(helpdesk.System).Tickets().List(ctx, ticket.Filter{})
	require.NoError(t, err)
	cs, err := desk.Service("acme").As(helpdesk.System).Tickets().Comments(ctx, p.Tickets[0].ID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, "thanks", cs[0].Body)
}

func TestIMAP_MAIL10_RestartFetchesOnlyNewMail(t *testing.T) {
	ctx := context.Background()
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	for i := range 3 {
		peer.deliver(t, customerMail(i))
	}
	n, err := newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	peer.deliver(t, customerMail(3))
	peer.deliver(t, customerMail(4))
	n, err = newPoller(t, desk, peer).Sync(ctx) // another process, as after a restart
	require.NoError(t, err)
	assert.Equal(t, 2, n, "only the new mail is fetched")
	assert.Len(t, tickets(t, desk), 5)
	st, err := desk.MailboxSync(ctx, "acme", "inbox")
	require.NoError(t, err)
	assert.Equal(t, uint32(5), st.LastUID)
	assert.Empty(t, st.Owner, "the lease is released after a pass")
	assert.Empty(t, st.LastError)
	n, err = newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestIMAP_MAIL10_UIDValidityChangeResyncsWithoutDuplicates(t *testing.T) {
	ctx := context.Background()
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	for i := range 3 {
		peer.deliver(t, customerMail(i))
	}
	_, err := newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	before, err := desk.MailboxSync(ctx, "acme", "inbox")
	require.NoError(t, err)
	// the folder is rebuilt: new UIDVALIDITY, the same mails plus one
	require.NoError(t, peer.user.Delete("INBOX"))
	require.NoError(t, peer.user.Create("INBOX", nil))
	for i := range 4 {
		peer.deliver(t, customerMail(i))
	}
	n, err := newPoller(t, desk, peer).Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, n, "every UID is new under the new UIDVALIDITY")
	got := tickets(t, desk)
	assert.Len(t, got, 4)
	for title, c := range got {
		assert.Equal(t, 1, c, title)
	}
	after, err := desk.MailboxSync(ctx, "acme", "inbox")
	require.NoError(t, err)
	assert.NotEqual(t, before.UIDValidity, after.UIDValidity)
	assert.Equal(t, uint32(4), after.LastUID)
}

func TestIMAP_MAIL10_IdleDelivery(t *testing.T) {
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// polling would wait an hour: only IDLE can bring the mail in
	go func() {
		done <- newPoller(t, desk, peer, func(c *mailx.PollerConfig) { c.PollInterval = time.Hour }).Run(ctx)
	}()
	peer.deliver(t, customerMail(1))
	require.Eventually(t, func() bool { return len(tickets(t, desk)) == 1 }, 10*time.Second, 5*time.Millisecond)
	peer.deliver(t, customerMail(2))
	require.Eventually(t, func() bool { return len(tickets(t, desk)) == 2 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	st, err := desk.MailboxSync(context.Background(), "acme", "inbox")
	require.NoError(t, err)
	assert.Empty(t, st.Owner, "Run releases the lease when it stops")
}

func TestIMAP_MAIL10_DroppedConnectionsNoDuplicateNothingMissed(t *testing.T) {
	const mails = 30
	peer := newIMAPPeer(t, 10, 600) // the first 10 connections drop mid-sync
	desk := newDesk(t, memory.New())
	for i := range mails {
		peer.deliver(t, customerMail(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- newPoller(t, desk, peer, func(c *mailx.PollerConfig) { c.SaveEvery = 1 }).Run(ctx)
	}()
	require.Eventually(t, func() bool { return len(tickets(t, desk)) == mails }, 20*time.Second, 5*time.Millisecond)
	cancel()
	<-done
	assert.Greater(t, peer.conns.Load(), int64(10), "every dropped connection was followed by a new one")
	for title, c := range tickets(t, desk) {
		assert.Equal(t, 1, c, title)
	}
	assert.Len(t, tickets(t, desk), mails)
}

func TestIMAP_MAIL10_TwoPollersOnePostgres(t *testing.T) {
	const mails = 20
	store, err := postgres.Open(context.Background(), migrated.Database(t), postgres.Options{MaxOpenConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, store)
	for i := range mails / 2 {
		peer.deliver(t, customerMail(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 2 {
		// each process has a desk of its own on the shared database
		d, err := helpdesk.New(helpdesk.Config{Store: store})
		require.NoError(t, err)
		pl := newPoller(t, d, peer, func(c *mailx.PollerConfig) { c.Owner = fmt.Sprint("process-", i); c.SaveEvery = 1 })
		wg.Go(func() { _ = pl.Run(ctx) })
	}
	for i := mails / 2; i < mails; i++ {
		peer.deliver(t, customerMail(i))
	}
	require.Eventually(t, func() bool { return len(tickets(t, desk)) == mails }, 20*time.Second, 10*time.Millisecond)
	cancel()
	wg.Wait()
	got := tickets(t, desk)
	assert.Len(t, got, mails)
	for title, c := range got {
		assert.Equal(t, 1, c, "each mail once: %s", title)
	}
}

func TestIMAP_MAIL10_LoginFailureIsRetried(t *testing.T) {
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	_, err := newPoller(t, desk, peer, func(c *mailx.PollerConfig) { c.IMAP.Password = "wrong" }).Sync(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrong", "the password is not in the error (SEC-1)")
}

// TestIMAP_MAIL2_StoredMailboxSettings: a mailbox saved by an admin
// (secret masked for people) is read by the system with its secret and
// drives a poller.
func TestIMAP_MAIL2_StoredMailboxSettings(t *testing.T) {
	ctx := context.Background()
	peer := newIMAPPeer(t, 0, 0)
	desk := newDesk(t, memory.New())
	host, port, err := net.SplitHostPort(peer.addr)
	require.NoError(t, err)
	portN, err := strconv.Atoi(port)
	require.NoError(t, err)
	saved, err := desk.Service("acme").As(helpdesk.System).Mailboxes().Save(ctx, mail.Mailbox{ID: "inbox", Address: "help@acme.example",
		Host: host, Port: portN, TLS: mail.TLSNone, User: "acme", Secret: "secret", Enabled: true})
	require.NoError(t, err)
	assert.NotEqual(t, "secret", saved.Secret)
	box, err := desk.Service("acme").As(helpdesk.System).Mailboxes().Secret(ctx, "inbox")
	require.NoError(t, err)
	peer.deliver(t, customerMail(1))
	n, err := newPoller(t, desk, peer, func(c *mailx.PollerConfig) { c.IMAP = mailx.IMAPConfigFor(box) }).Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
