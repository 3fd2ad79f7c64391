package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
)

// IMAPConfig is how a Poller reaches one external mailbox (MAIL-2).
type IMAPConfig struct {
	// Addr is the server, host:port.
	Addr string
	// TLS is the connection's security; default TLSImplicit.
	TLS TLSMode
	// TLSConfig is used for TLSImplicit and TLSStartTLS; its ServerName
	// defaults to Addr's host.
	TLSConfig *tls.Config
	// Username and Password log in; the password is never logged (SEC-1).
	Username string
	Password string
	// Folder is the mailbox folder to read; default "INBOX".
	Folder string
}

// PollerConfig configures a Poller.
type PollerConfig struct {
	// Desk takes the mail in (Desk.ReceiveMail) and keeps the sync state
	// and the lease (Desk.LeaseMailbox, SaveMailboxSync).
	Desk *helpdesk.Desk
	// ServiceID and MailboxID name the mailbox in the helpdesk: its mail is
	// deduplicated per mailbox (MAIL-3).
	ServiceID string
	MailboxID string
	IMAP      IMAPConfig
	// Owner names this process in the mailbox's lease; default a random
	// id per Poller.
	Owner string
	// Lease is how long a lease lasts before it must be renewed; default
	// 2 minutes. An IDLE is interrupted at least every Lease/3 to renew it.
	Lease time.Duration
	// PollInterval is how often a server without IDLE is polled, and how
	// often a Poller whose mailbox another process holds tries again;
	// default 1 minute.
	PollInterval time.Duration
	// IdleTimeout is how long one IDLE lasts before the Poller checks the
	// mailbox again anyway; default and at most Lease/3. (The IDLE right
	// after a fetch lasts a second at most: a mail that arrives just as an
	// IDLE starts, which a server may announce only after that IDLE
	// (go-imap's imapserver does), is taken in by the fetch after it.)
	IdleTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnection after
	// a failure, doubling from the first to the second; default 1s and 5m.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// SaveEvery is how many mails are fetched at once and taken in
	// between two saves of the sync state; default 100. A crash between
	// two saves fetches those mails again, and the mailbox's records dedupe
	// them.
	SaveEvery int
	// Parse bounds what is read of each mail.
	Parse ParseOptions
	// Logger receives diagnostics (never the password); default discard.
	Logger *slog.Logger
}

// Poller syncs one IMAP mailbox into the helpdesk: the host runs it with
// Run and stops it by cancelling the context. It fetches by UID after the
// last UID taken in under the mailbox's UIDVALIDITY — never by a date
// window — so a restart fetches only new mail and nothing that arrived
// during an outage is missed; a new UIDVALIDITY starts again from UID 1
// and the mailbox's records keep that from making duplicates (MAIL-3,
// MAIL-10). It waits with IDLE where the server has it, polling otherwise,
// and holds a lease in the store so that of several processes one syncs
// the mailbox at a time.
type Poller struct{ cfg PollerConfig }

// NewPoller checks cfg and returns a Poller.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if cfg.Desk == nil || cfg.ServiceID == "" || cfg.MailboxID == "" {
		return nil, errors.New("invalid: imap poller: Desk, ServiceID and MailboxID are required")
	}
	if _, _, err := net.SplitHostPort(cfg.IMAP.Addr); err != nil {
		return nil, fmt.Errorf("invalid: imap addr %q: %w", cfg.IMAP.Addr, err)
	}
	switch cfg.IMAP.TLS {
	case "":
		cfg.IMAP.TLS = TLSImplicit
	case TLSImplicit, TLSStartTLS, TLSNone:
	default:
		return nil, fmt.Errorf("invalid: imap tls mode %q", cfg.IMAP.TLS)
	}
	if cfg.IMAP.Folder == "" {
		cfg.IMAP.Folder = "INBOX"
	}
	if cfg.Owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		cfg.Owner = "poller-" + hex.EncodeToString(b)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Lease, 2*time.Minute)
	def(&cfg.PollInterval, time.Minute)
	def(&cfg.MinBackoff, time.Second)
	def(&cfg.MaxBackoff, 5*time.Minute)
	if cfg.IdleTimeout <= 0 || cfg.IdleTimeout > cfg.Lease/3 {
		cfg.IdleTimeout = cfg.Lease / 3
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{cfg: cfg}, nil
}

// Run syncs the mailbox until ctx ends, then releases the lease and
// returns ctx's error. A failure (a refused login, a dropped connection,
// the store) is recorded as the mailbox's last error and retried after a
// back-off; a mailbox another process holds is tried again every
// PollInterval.
func (p *Poller) Run(ctx context.Context) error {
	defer func() {
		_ = p.cfg.Desk.ReleaseMailbox(context.WithoutCancel(ctx), p.cfg.ServiceID, p.cfg.MailboxID, p.cfg.Owner)
	}()
	backoff := p.cfg.MinBackoff
	for {
		progressed := false
		err := p.session(ctx, true, func() { progressed = true })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := backoff
		if errors.Is(err, helpdesk.ErrConflict) {
			wait = p.cfg.PollInterval // another process syncs it
		} else {
			p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "imap sync failed", slog.String("mailbox", p.cfg.MailboxID), slog.String("error", err.Error()))
			if progressed {
				backoff, wait = p.cfg.MinBackoff, p.cfg.MinBackoff
			}
			backoff = min(backoff*2, p.cfg.MaxBackoff)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Sync makes one pass: it connects, takes the lease, takes in the mail
// that arrived since the last pass, saves the sync state, releases the
// lease and logs out. It returns how many mails it fetched. A mailbox
// another process holds answers an error matching helpdesk.ErrConflict.
func (p *Poller) Sync(ctx context.Context) (int, error) {
	n := 0
	err := p.session(ctx, false, func() { n++ })
	if rerr := p.cfg.Desk.ReleaseMailbox(context.WithoutCancel(ctx), p.cfg.ServiceID, p.cfg.MailboxID, p.cfg.Owner); err == nil {
		err = rerr
	}
	return n, err
}

// session connects and syncs; with wait it then waits for new mail (IDLE
// or polling) and syncs again, until an error or ctx ends. took is called
// for each mail taken in.
func (p *Poller) session(ctx context.Context, wait bool, took func()) error {
	wake := make(chan struct{}, 1)
	c, err := p.dial(ctx, wake)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(p.cfg.IMAP.Username, p.cfg.IMAP.Password).Wait(); err != nil {
		return fmt.Errorf("imap login as %q: %w", p.cfg.IMAP.Username, err)
	}
	sel, err := c.Select(p.cfg.IMAP.Folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("imap select %q: %w", p.cfg.IMAP.Folder, err)
	}
	settle := true // see waitForMail
	for {
		st, err := p.cfg.Desk.LeaseMailbox(ctx, p.cfg.ServiceID, p.cfg.MailboxID, p.cfg.Owner, p.cfg.Lease)
		if err != nil {
			return err
		}
		if err := p.fetch(ctx, c, st, sel.UIDValidity, took); err != nil {
			return err
		}
		if !wait {
			return c.Logout().Wait()
		}
		d := p.cfg.IdleTimeout
		if settle {
			d = min(d, idleSettle)
		}
		woke, err := p.waitForMail(ctx, c, wake, d)
		if err != nil {
			return err
		}
		// After an IDLE that ended for new mail or after its full
		// IdleTimeout, the next one settles; after a settling one that
		// heard nothing, the next lasts IdleTimeout.
		settle = woke || !settle
	}
}

func (p *Poller) dial(ctx context.Context, wake chan struct{}) (*imapclient.Client, error) {
	host, _, _ := net.SplitHostPort(p.cfg.IMAP.Addr)
	tc := &tls.Config{}
	if p.cfg.IMAP.TLSConfig != nil {
		tc = p.cfg.IMAP.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	opts := &imapclient.Options{TLSConfig: tc, UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		},
	}}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", p.cfg.IMAP.Addr)
	if err != nil {
		return nil, err
	}
	switch p.cfg.IMAP.TLS {
	case TLSImplicit:
		return imapclient.New(tls.Client(conn, tc), opts), nil
	case TLSStartTLS:
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			_ = conn.Close()
		}
		return c, err
	}
	return imapclient.New(conn, opts), nil
}

// fetch takes in every mail after the last UID of st (from UID 1 under a
// new UIDVALIDITY), saving the sync state every SaveEvery mails and at
// the end.
func (p *Poller) fetch(ctx context.Context, c *imapclient.Client, st mail.Sync, validity uint32, took func()) error {
	last := st.LastUID
	if st.UIDValidity != validity {
		last = 0 // a new UIDVALIDITY: every UID is new; the records dedupe
	}
	save := func(cause error) error {
		s := mail.Sync{MailboxID: p.cfg.MailboxID, UIDValidity: validity, LastUID: last}
		if cause != nil {
			s.LastError = cause.Error()
		}
		if err := p.cfg.Desk.SaveMailboxSync(context.WithoutCancel(ctx), p.cfg.ServiceID, p.cfg.Owner, s); err != nil && cause == nil {
			return err
		}
		return cause
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{{Start: imap.UID(last + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return save(fmt.Errorf("imap search: %w", err))
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > last { // "n:*" answers the last mail even when it is older
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	// The next batch is fetched and parsed while this one is taken in, in
	// UID order (a reply may thread to the mail before it).
	batches := make(chan parsedBatch, 1)
	stop := make(chan struct{})
	go p.fetchAll(c, uids, batches, stop)
	defer func() {
		close(stop)
		for range batches { // the fetching goroutine ends before c is closed
		}
	}()
	for b := range batches {
		if b.err != nil {
			return save(b.err)
		}
		for i, msg := range b.msgs {
			if uint32(msg.UID) <= last {
				continue
			}
			if _, err := p.cfg.Desk.ReceiveMail(ctx, p.cfg.ServiceID, p.cfg.MailboxID, b.parsed[i]); err != nil {
				return save(fmt.Errorf("taking in UID %d: %w", msg.UID, err))
			}
			last = uint32(msg.UID)
			took()
		}
		if err := save(nil); err != nil {
			return err
		}
	}
	return nil
}

// parsedBatch is one batch of fetched mails and their parsed Messages.
type parsedBatch struct {
	msgs   []fetched
	parsed []mail.Message
	err    error
}

// fetchAll fetches uids in batches of SaveEvery, parses them and sends them
// on out, in order, until stop is closed or a batch fails; it closes out.
func (p *Poller) fetchAll(c *imapclient.Client, uids []imap.UID, out chan<- parsedBatch, stop <-chan struct{}) {
	defer close(out)
	section := &imap.FetchItemBodySection{Peek: true}
	for batch := range slices.Chunk(uids, p.cfg.SaveEvery) {
		var b parsedBatch
		if b.msgs, b.err = fetchBatch(c, batch, section); b.err == nil {
			b.parsed = make([]mail.Message, len(b.msgs))
			for i, m := range b.msgs {
				b.parsed[i] = Parse(m.raw, p.cfg.Parse)
			}
		}
		select {
		case out <- b:
		case <-stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

type fetched struct {
	UID imap.UID
	raw []byte
}

// fetchBatch fetches the mails of uids, in UID order. It reads the
// responses itself rather than with FetchCommand.Collect: a literal cut
// short by a broken connection reads like a whole one there, and reading
// it again races with the client's reader (go-imap v2.0.0-beta.8); here a
// short literal closes the connection and nothing more is read.
func fetchBatch(c *imapclient.Client, uids []imap.UID, section *imap.FetchItemBodySection) ([]fetched, error) {
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	var out []fetched
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var f fetched
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				f.UID = it.UID
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil {
					continue
				}
				// A literal cut short by a broken connection ends in io.EOF
				// like a whole one: read exactly its size, then its end.
				b := make([]byte, it.Literal.Size())
				if _, err := io.ReadFull(it.Literal, b); err != nil {
					_ = c.Close()
					return nil, fmt.Errorf("imap fetch UID %d: %w", f.UID, err)
				}
				if n, err := it.Literal.Read(make([]byte, 1)); n != 0 || err != io.EOF {
					_ = c.Close()
					return nil, fmt.Errorf("imap fetch UID %d: literal longer than announced", f.UID)
				}
				f.raw = b
			}
		}
		out = append(out, f)
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("imap fetch: %w", err)
	}
	slices.SortFunc(out, func(a, b fetched) int { return cmp.Compare(a.UID, b.UID) })
	return out, nil
}

// idleSettle is how long the IDLE after a fetch lasts (see waitForMail).
const idleSettle = time.Second

// waitForMail waits for new mail: with IDLE until the server announces
// some or d has passed, without it for PollInterval. It reports whether
// the server announced mail.
//
// Updates the server queued before IDLE may be held back until the next
// one (go-imap's imapserver does so): a NOOP collects them first. A mail
// that arrives between the NOOP and the IDLE is still held back, so the
// IDLE after a fetch only settles (idleSettle), and the fetch after it
// takes in what slipped in; the next IDLE lasts IdleTimeout.
func (p *Poller) waitForMail(ctx context.Context, c *imapclient.Client, wake <-chan struct{}, d time.Duration) (bool, error) {
	if !c.Caps().Has(imap.CapIdle) {
		t := time.NewTimer(p.cfg.PollInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-t.C:
			return false, nil
		}
	}
	if err := c.Noop().Wait(); err != nil {
		return false, fmt.Errorf("imap noop: %w", err)
	}
	select {
	case <-wake:
		return true, nil
	default:
	}
	idle, err := c.Idle()
	if err != nil {
		return false, fmt.Errorf("imap idle: %w", err)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	woke := false
	select {
	case <-ctx.Done():
	case <-wake:
		woke = true
	case <-t.C:
	case <-c.Closed():
	}
	if err := idle.Close(); err != nil {
		return false, fmt.Errorf("imap idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return false, fmt.Errorf("imap idle: %w", err)
	}
	return woke, ctx.Err()
}

// IMAPConfigFor returns the IMAPConfig of mailbox m as the helpdesk keeps
// it (Mailboxes.Secret returns it with its secret, for the system alone).
func IMAPConfigFor(m mail.Mailbox) IMAPConfig {
	return IMAPConfig{Addr: net.JoinHostPort(m.Host, strconv.Itoa(m.Port)), TLS: TLSMode(m.TLS), Username: m.User,
		Password: m.Secret, Folder: m.Folder}
}
