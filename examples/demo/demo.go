package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/deskkit/deskkit/adapters/browser"
	doorayx "github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/httpapi"
	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/notify"
)

// Config chooses the demo's store and address.
type Config struct {
	Postgres string // a DSN; empty: not PostgreSQL
	SQLite   string // a file; empty: not SQLite
	Host     string // the address to listen on; default 127.0.0.1
}

// The demo's fixed names.
const (
	serviceID      = "acme"
	supportAddress = "support@acme.example"
	imapUser       = "support"
	imapPassword   = "demo-password"
	smsSender      = "0215880000"
	doorayToken    = "demo-dooray-token"
	doorayOrg      = "1000000000000000001"
)

// doorayProject is the id of the fake Dooray! project tickets can be
// transferred into.
const doorayProject = "2000000000000000002"

// Demo is the running demo: its servers, the helpdesk and what the fake
// peers received.
type Demo struct {
	HTTPURL  string // the HTTP API is under HTTPURL + "/api"
	SMTPAddr string // mail to supportAddress here becomes a ticket
	IMAPAddr string // the support mailbox (user "support")
	Seed     Seeded

	desk    *helpdesk.Desk
	closer  []func() error
	cancel  context.CancelFunc
	workers sync.WaitGroup // the poller and the dispatcher
	wg      sync.WaitGroup // the servers' Serve calls

	mails  *record[Mail]
	sms    *record[Call]
	dooray *record[Call]
}

// run starts the demo, prints how to use it and waits for ctx to end.
func run(ctx context.Context, cfg Config, out io.Writer) error {
	d, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	d.PrintUsage(out)
	<-ctx.Done()
	fmt.Fprintln(out, "stopping…")
	return d.Close()
}

// Start opens the store, seeds it, and starts every server and worker.
// Close stops them.
func Start(ctx context.Context, cfg Config) (d *Demo, err error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	d = &Demo{mails: &record[Mail]{}, sms: &record[Call]{}, dooray: &record[Call]{}}
	started := d // the returns below set d to nil
	defer func() {
		if err != nil {
			_ = started.Close()
		}
	}()
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if c, ok := store.(io.Closer); ok {
		d.closer = append(d.closer, c.Close)
	}
	listen := func() (net.Listener, error) { return net.Listen("tcp", net.JoinHostPort(cfg.Host, "0")) }

	// Fake NHN Cloud SMS (plain HTTP, as its BaseURL allows) and Dooray!
	// (an https incoming webhook, as trigger hooks must be).
	smsSrv, err := d.serveHTTP(listen, nhnSMS(d.sms, smsSender))
	if err != nil {
		return nil, err
	}
	hookSrv := httptest.NewUnstartedServer(dooray(d.dooray))
	hl, err := listen()
	if err != nil {
		return nil, err
	}
	hookSrv.Listener = hl
	hookSrv.StartTLS()
	d.closer = append(d.closer, func() error { hookSrv.Close(); return nil })

	var desk *helpdesk.Desk
	sms := nhnsms.New(nhnsms.Options{BaseURL: "http://" + smsSrv, Credentials: func(ctx context.Context, id string) (nhnsms.Credentials, error) {
		c, err := desk.SMSCredentials(ctx, id)
		return nhnsms.Credentials(c), err
	}})
	// Dooray! task transfer (DRY-2) talks to the same fake's API (through
	// the server's own client; the hook poster gets a copy of its TLS
	// config, which a transport writes to on first use).
	doorayAPI := doorayx.NewClient(doorayx.ClientOptions{BaseURL: "https://" + hookSrv.Listener.Addr().String(), HTTPClient: hookSrv.Client()})
	desk, err = helpdesk.New(helpdesk.Config{Store: store, SMSNumbers: sms, DoorayTasks: doorayx.Tasks{Client: doorayAPI},
		// Browser notifications about a ticket open it in the console.
		TicketLink: func(_, ticketID string) string { return "#/tickets/" + ticketID }})
	if err != nil {
		return nil, err
	}
	d.desk = desk
	d.closer = append(d.closer, func() error { desk.Close(); return nil })

	// IMAP: the support mailbox.
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, err
	}
	mem.AddUser(user)
	imapSrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true, // loopback, demo only
		Logger:       log.New(io.Discard, "", 0),
	})
	il, err := listen()
	if err != nil {
		return nil, err
	}
	d.IMAPAddr = il.Addr().String()
	d.goServe(func() error { return imapSrv.Serve(il) })
	d.closer = append(d.closer, imapSrv.Close)

	// SMTP: mail to the support address goes to the IMAP INBOX; the rest
	// is kept for GET /demo/outbox-mail.
	smtpSrv := smtp.NewServer(&smtpBackend{support: supportAddress, inbox: user, sent: d.mails})
	smtpSrv.Domain = "localhost"
	smtpSrv.ReadTimeout, smtpSrv.WriteTimeout = time.Minute, time.Minute
	sl, err := listen()
	if err != nil {
		return nil, err
	}
	d.SMTPAddr = sl.Addr().String()
	d.goServe(func() error { return smtpSrv.Serve(sl) })
	d.closer = append(d.closer, smtpSrv.Close)

	// The service and its configuration.
	d.Seed, err = seed(ctx, desk, "https://"+hookSrv.Listener.Addr().String()+"/services/1/2/hook-token")
	if err != nil {
		return nil, err
	}

	// The support mailbox is a record of the service (MAIL-2), saved as an
	// admin saves it in the mail settings; the poller reads it back with
	// its secret, as a host's worker does for each enabled mailbox.
	mb, err := supportMailbox(ctx, desk, d.Seed.AdminID, d.IMAPAddr)
	if err != nil {
		return nil, err
	}

	// Workers: the IMAP poller and the outbox dispatcher.
	poller, err := mailx.NewPoller(mailx.PollerConfig{Desk: desk, ServiceID: serviceID, MailboxID: mb.ID, IMAP: mailx.IMAPConfigFor(mb),
		PollInterval: time.Second, IdleTimeout: 2 * time.Second, MinBackoff: 100 * time.Millisecond, MaxBackoff: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	mailer, err := mailx.NewMailer(mailx.SMTPConfig{Addr: d.SMTPAddr, TLS: mailx.TLSNone,
		From: notify.Address{Name: "ACME 고객센터", Address: supportAddress}})
	if err != nil {
		return nil, err
	}
	// Browser notifications: the hub takes the dispatcher's Browser
	// messages and streams them to the console (GET /api/notifications).
	hub := browser.New(browser.Options{Authenticate: func(r *http.Request) (string, string, error) {
		return serviceID, d.agentOf(r), nil
	}})
	loopback := webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	disp, err := desk.Dispatcher(notify.DispatcherConfig{PollInterval: 200 * time.Millisecond, Notifiers: notify.Notifiers{
		Mail:    mailer,
		SMS:     sms,
		Browser: hub,
		Dooray: doorayx.Notifier{Hooks: doorayx.NewHookPoster(doorayx.HookOptions{BotName: "ACME Helpdesk", Guard: loopback,
			TLSClientConfig: hookSrv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()}), Client: doorayAPI, Token: desk.DoorayToken},
	}})
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	d.workers.Add(2)
	go func() { defer d.workers.Done(); _ = poller.Run(wctx) }()
	go func() { defer d.workers.Done(); _ = disp.Run(wctx) }()

	// HTTP: the console at /, the API under /api, what the fakes received
	// under /demo.
	api := httpapi.New(desk, httpapi.Options{Authenticate: d.authenticate, Notifications: hub})
	mux := http.NewServeMux()
	mux.Handle("/", consoleFiles())
	mux.Handle("/api/", http.StripPrefix("/api", api))
	mux.HandleFunc("GET /demo/session", d.session)
	mux.HandleFunc("POST /demo/mail", d.sendCustomerMail)
	mux.HandleFunc("GET /demo/outbox-mail", d.mails.serveJSON)
	mux.HandleFunc("GET /demo/sms", d.sms.serveJSON)
	mux.HandleFunc("GET /demo/dooray", d.dooray.serveJSON)
	addr, err := d.serveHTTP(listen, mux)
	if err != nil {
		return nil, err
	}
	d.HTTPURL = "http://" + addr
	return d, nil
}

// openStore opens the configured store, migrated.
func openStore(ctx context.Context, cfg Config) (helpdesk.Store, error) {
	switch {
	case cfg.Postgres != "" && cfg.SQLite != "":
		return nil, errors.New("demo: -pg and -db exclude each other")
	case cfg.Postgres != "":
		s, err := postgres.Open(ctx, cfg.Postgres)
		return migrated(ctx, s, err)
	case cfg.SQLite != "":
		s, err := sqlite.Open(ctx, cfg.SQLite)
		return migrated(ctx, s, err)
	}
	return memory.New(), nil
}

// sqlStore is a store with a schema to migrate and a pool to close.
type sqlStore interface {
	helpdesk.Store
	Migrate(ctx context.Context) error
	Close() error
}

// migrated migrates the store just opened, closing it on failure.
func migrated[S sqlStore](ctx context.Context, s S, err error) (helpdesk.Store, error) {
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// authenticate is the demo's Authenticate: it trusts the X-Service header
// and the agent of agentOf (the X-Agent header, else the console's
// cookie, else the seeded admin). Demo only: a host checks its own login
// here.
func (d *Demo) authenticate(r *http.Request) (string, helpdesk.Actor, error) {
	svc := r.Header.Get("X-Service")
	if svc == "" {
		svc = serviceID
	}
	return svc, helpdesk.AgentID(d.agentOf(r)), nil
}

// serveHTTP serves h on a new listener and returns its address.
func (d *Demo) serveHTTP(listen func() (net.Listener, error), h http.Handler) (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	// Requests run on a context that Close cancels first, so that open
	// notification streams end and Shutdown need not wait for them.
	base, endRequests := context.WithCancel(context.Background())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base }}
	d.goServe(func() error { return srv.Serve(l) })
	d.closer = append(d.closer, func() error {
		endRequests()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	})
	return l.Addr().String(), nil
}

// goServe runs a server's Serve until it is closed.
func (d *Demo) goServe(serve func() error) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if err := serve(); !serverDone(err) {
			log.Printf("demo: server stopped: %v", err)
		}
	}()
}

// Close stops the workers and waits for them, then closes the servers and
// the store in reverse order of their start.
func (d *Demo) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.workers.Wait()
	var errs []error
	for i := len(d.closer) - 1; i >= 0; i-- {
		if err := d.closer[i](); err != nil && !serverDone(err) {
			errs = append(errs, err)
		}
	}
	d.closer = nil
	d.wg.Wait()
	return errors.Join(errs...)
}

// PrintUsage prints the demo's addresses and a few commands to try.
func (d *Demo) PrintUsage(out io.Writer) {
	_, smtpPort, _ := net.SplitHostPort(d.SMTPAddr)
	api := d.HTTPURL + "/api"
	fmt.Fprintf(out, `Deskkit demo — service %q (ko/en), admin %s
  Web console  %s/   (open it in a browser)
  HTTP API     %s/api   (demo auth: headers X-Service, X-Agent; default the admin)
  OpenAPI      %s/api/openapi.json
  SMTP         %s   (mail to %s becomes a ticket)
  IMAP         %s   (user %q, password %q)
  sent mail    %s/demo/outbox-mail
  fake SMS     %s/demo/sms
  fake Dooray! %s/demo/dooray

Try:
  curl -s %s/tickets
  curl -s -X POST %s/tickets -H 'Content-Type: application/json' \
       -d '{"title":"환불 문의","content":"주문 42 환불 부탁드립니다","channel":"api","requester":{"name":"홍길동","email":"gildong@customer.example"},"intake_category_id":"%s"}'
  curl -s -X POST %s/tickets/TICKET_ID/replies -H 'Content-Type: application/json' -d '{"body":"확인했습니다."}'
  printf 'From: Lee <lee@customer.example>\r\nTo: %s\r\nSubject: Where is my order?\r\n\r\nOrder 42 has not arrived.\r\n' |
       curl --url smtp://127.0.0.1:%s --mail-from lee@customer.example --mail-rcpt %s --upload-file -
  curl -s %s/demo/outbox-mail

Ctrl-C stops the demo.
`, serviceID, d.Seed.AdminID, d.HTTPURL, d.HTTPURL, d.HTTPURL, d.SMTPAddr, supportAddress, d.IMAPAddr, imapUser, imapPassword,
		d.HTTPURL, d.HTTPURL, d.HTTPURL, api, api, d.Seed.Categories["refunds"], api, supportAddress, smtpPort, supportAddress, d.HTTPURL)
}

// supportMailbox saves the demo's support mailbox, on the in-process IMAP
// server at addr, as the admin's mail settings would, and returns it
// with its secret for the poller.
func supportMailbox(ctx context.Context, desk *helpdesk.Desk, adminID, addr string) (mail.Mailbox, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return mail.Mailbox{}, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return mail.Mailbox{}, err
	}
	_, err = desk.Service(serviceID).As(helpdesk.AgentID(adminID)).Mailboxes().Save(ctx, mail.Mailbox{ID: "support",
		Address: supportAddress, Host: host, Port: port, TLS: mail.TLSNone, User: imapUser, Secret: imapPassword, Enabled: true})
	if err != nil {
		return mail.Mailbox{}, fmt.Errorf("demo: support mailbox: %w", err)
	}
	return desk.Service(serviceID).As(helpdesk.System).Mailboxes().Secret(ctx, "support")
}
