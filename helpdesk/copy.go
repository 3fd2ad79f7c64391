package helpdesk

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// CopyMarkerKey is the idempotency key CopyService stores in the target
// service, in the transaction that creates it (STO-2). A target service
// that has it is a copy CopyService started, which a later call resumes; a
// target service without it is refused. The key is an ordinary idempotency
// key: once the service's keys expire (Options.IdempotencyTTL) and are
// swept, the copy can no longer be resumed.
const CopyMarkerKey = "deskkit:copy-service"

// copyMarkerCall is the Call of the marker key.
const copyMarkerCall = "helpdesk.CopyService"

// CopyOptions tune CopyService.
type CopyOptions struct {
	// PageSize is how many tickets (or messages, or login events) one page
	// reads and writes, each page in a short transaction of its own on
	// each store: 0 is 200, at most ticket.MaxPageSize.
	PageSize int
	// Progress, when set, is called after every page that was written.
	Progress func(CopyProgress)
	// Now is the clock of the marker key; nil is time.Now.
	Now func() time.Time
}

// CopyProgress reports a page CopyService has written.
type CopyProgress struct {
	// Phase is "config", "tickets", "outbox" or "logins".
	Phase string
	// Rows is how many rows this call has written so far, every kind
	// counted (a ticket, a comment, a history row, a message ...).
	Rows int
	// TicketNumber is the number of the last ticket copied (in the
	// "tickets" phase), and LastNumber the source's highest one.
	TicketNumber, LastNumber int64
}

// CopyReport is what one CopyService call wrote.
type CopyReport struct {
	// Resumed is true when the target service existed as a copy started
	// earlier (CopyMarkerKey), and this call continued it.
	Resumed bool
	// Rows is the sum of every count below.
	Rows int
	// The counts of what was written, by kind.
	Settings, Agents, Groups, Members, Categories, Fields, Layouts, Templates, Words, Triggers,
	Recipients, Menus, Tickets, Comments, Changes, DoorayLinks, Messages, Logins int
	// Mailboxes, MailRecords and MailFiles count the received-mail side
	// (MAIL-1, MAIL-3): mailboxes with their sync state, and the records
	// and attachments of the tickets copied.
	Mailboxes, MailRecords, MailFiles int
}

func (r *CopyReport) sum() int {
	return r.Settings + r.Agents + r.Groups + r.Members + r.Categories + r.Fields + r.Layouts + r.Templates +
		r.Words + r.Triggers + r.Recipients + r.Menus + r.Tickets + r.Comments + r.Changes + r.DoorayLinks +
		r.Messages + r.Logins + r.Mailboxes + r.MailRecords + r.MailFiles
}

// CopyService copies the service serviceID whole from one store to another
// (STO-2): its settings, agents, groups with their members (in join order)
// and round-robin cursors, categories (deleted ones too), fields and
// layouts, templates, forbidden words, triggers in their order, recipients,
// menu access, the surge state, tickets with their numbers, comments,
// history, Dooray! links, mail records and attachments, the mailboxes
// with their sync state (not their leases), the outbox (every message,
// pending ones included) and the login log. The target's next ticket
// number continues where the source's stopped. Not copied: idempotency
// keys, mail records that went to no ticket (ignored mails), and the
// per-recipient mail limits and bounces (MAIL-9); the port lists none of
// them.
//
// The source is only read, page by page, each page in a short transaction,
// so it stays readable (and writable) while the copy runs; a change made to
// it meanwhile may or may not be copied, so stop its writers (and its
// dispatcher) first. Idempotency keys are not copied. History rows get the
// target's own ids, in the same order within a ticket.
//
// The copy refuses (ErrConflict) a target service that exists, unless the
// target holds CopyMarkerKey: then it resumes. It is resumable because it
// writes in this order, each step committed on its own: the settings and
// every configuration area with the marker in one transaction; then the
// tickets in ascending number, one page per transaction, each with its
// comments, history, link, mail records and attachments (a resumed copy continues after the target's
// highest number); then the messages and the login events, a page at a
// time, skipping those the target holds already (by id). A second call
// after an interruption (an ended context, a failed page) therefore
// completes the copy without duplicates, and a call after a complete copy
// writes nothing.
func CopyService(ctx context.Context, from, to Store, serviceID string, opts CopyOptions) (CopyReport, error) {
	c := copier{ctx: ctx, from: from, to: to, sid: serviceID, opts: opts}
	if c.opts.PageSize <= 0 {
		c.opts.PageSize = 200
	}
	c.opts.PageSize = min(c.opts.PageSize, ticket.MaxPageSize)
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	steps := []func() error{c.config, c.tickets, c.outbox, c.logins}
	for _, step := range steps {
		if err := step(); err != nil {
			c.rep.Rows = c.rep.sum()
			return c.rep, err
		}
	}
	c.rep.Rows = c.rep.sum()
	return c.rep, nil
}

// copier is one CopyService call.
type copier struct {
	ctx      context.Context
	from, to Store
	sid      string
	opts     CopyOptions
	rep      CopyReport
}

func (c *copier) read(fn func(Repos) error) error  { return c.from.Tx(c.ctx, c.sid, fn) }
func (c *copier) write(fn func(Repos) error) error { return c.to.Tx(c.ctx, c.sid, fn) }

func (c *copier) progress(p CopyProgress) {
	if c.opts.Progress != nil {
		p.Rows = c.rep.sum()
		c.opts.Progress(p)
	}
}

// configSnapshot is what the "config" step reads from the source.
type configSnapshot struct {
	cfg        ServiceConfig
	agents     []agent.Agent
	groups     []agent.Group
	members    []agent.Membership
	cursors    map[string]int64
	menus      []agent.MenuAccess
	recipients []notify.Recipient
	lastAlert  time.Time
	cats       []category.Category
	fields     fieldSnapshot
	templates  []template.Template
	words      []template.ForbiddenWord
	triggers   []trigger.Trigger
	mailboxes  []mail.Mailbox
	syncs      []mail.Sync
}

// config copies the settings and every configuration area, with the
// marker, in one target transaction; on a resumed copy it does nothing.
func (c *copier) config() error {
	err := c.write(func(r Repos) error {
		if _, err := r.Service().Get(c.ctx); errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		k, err := r.Tickets().GetKey(c.ctx, CopyMarkerKey)
		if errors.Is(err, ErrNotFound) || (err == nil && k.Call != copyMarkerCall) {
			return errs.New(ErrConflict, "service %q exists in the target store and is not a copy CopyService started", c.sid)
		}
		if err == nil {
			c.rep.Resumed = true
		}
		return err
	})
	if err != nil || c.rep.Resumed {
		return err
	}
	var s configSnapshot
	if err := c.read(func(r Repos) error { return s.read(c.ctx, r) }); err != nil {
		return err
	}
	err = c.write(func(r Repos) error {
		rep := CopyReport{}
		if err := s.write(c.ctx, r, &rep, ticket.Key{Key: CopyMarkerKey, Call: copyMarkerCall, CreatedAt: c.opts.Now().UTC()}); err != nil {
			return err
		}
		c.rep = rep
		return nil
	})
	if err != nil {
		return err
	}
	c.progress(CopyProgress{Phase: "config"})
	return nil
}

func (s *configSnapshot) read(ctx context.Context, r Repos) error {
	var err error
	if s.cfg, err = r.Service().Get(ctx); err != nil {
		return err
	}
	if s.agents, err = r.Agents().List(ctx); err != nil {
		return err
	}
	if s.groups, err = r.Groups().List(ctx); err != nil {
		return err
	}
	s.cursors = map[string]int64{}
	for _, g := range s.groups {
		ms, err := r.Groups().Members(ctx, g.ID)
		if err != nil {
			return err
		}
		s.members = append(s.members, ms...)
		if s.cursors[g.ID], err = r.Groups().Cursor(ctx, g.ID); err != nil {
			return err
		}
	}
	// Joins are numbered across the service: the target replays them in
	// that order.
	slices.SortFunc(s.members, func(a, b agent.Membership) int { return cmpInt(a.Seq, b.Seq) })
	for _, m := range agent.Menus {
		a, err := r.Menus().Get(ctx, m)
		if err != nil {
			return err
		}
		if a.Partial || len(a.Restricted) > 0 {
			s.menus = append(s.menus, a)
		}
	}
	if s.recipients, err = r.Recipients().List(ctx); err != nil {
		return err
	}
	if s.lastAlert, err = r.Surge().LockLastAlert(ctx); err != nil {
		return err
	}
	if s.cats, err = r.Categories().All(ctx); err != nil {
		return err
	}
	if err := s.fields.read(ctx, r); err != nil {
		return err
	}
	if s.templates, err = r.Templates().Find(ctx, template.Query{}); err != nil {
		return err
	}
	wl, err := r.Templates().Words(ctx, "")
	if err != nil {
		return err
	}
	s.words = wl.Words
	if s.triggers, err = r.Triggers().List(ctx); err != nil {
		return err
	}
	if s.mailboxes, err = r.Mail().Mailboxes(ctx); err != nil {
		return err
	}
	for _, m := range s.mailboxes {
		sy, err := r.Mail().GetSync(ctx, m.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		// The source's sync lease is its own processes' business.
		sy.Owner, sy.LeaseUntil = "", time.Time{}
		s.syncs = append(s.syncs, sy)
	}
	return nil
}

// write stores the snapshot in a new service, taking the area locks in the
// Store's order; the marker key comes right after the service record.
func (s *configSnapshot) write(ctx context.Context, r Repos, rep *CopyReport, marker ticket.Key) error {
	if err := r.Service().Create(ctx, s.cfg); err != nil {
		return err
	}
	rep.Settings++
	if err := r.Tickets().AddKey(ctx, marker); err != nil {
		return err
	}
	if err := writeCategories(ctx, r, s.cats, rep); err != nil {
		return err
	}
	if err := s.fields.write(ctx, r, rep); err != nil {
		return err
	}
	if err := r.Templates().Lock(ctx); err != nil {
		return err
	}
	for _, t := range s.templates {
		if err := r.Templates().Insert(ctx, t); err != nil {
			return err
		}
	}
	rep.Templates += len(s.templates)
	if len(s.words) > 0 {
		if err := r.Templates().InsertWords(ctx, s.words); err != nil {
			return err
		}
	}
	rep.Words += len(s.words)
	if err := writeTriggers(ctx, r, s.triggers, rep); err != nil {
		return err
	}
	if err := r.Groups().Lock(ctx); err != nil {
		return err
	}
	if err := r.Agents().Lock(ctx); err != nil {
		return err
	}
	for _, a := range s.agents {
		if err := r.Agents().Create(ctx, a); err != nil {
			return err
		}
	}
	rep.Agents += len(s.agents)
	for _, g := range s.groups {
		if err := r.Groups().Insert(ctx, g); err != nil {
			return err
		}
	}
	rep.Groups += len(s.groups)
	if err := s.writeMembers(ctx, r, rep); err != nil {
		return err
	}
	for _, m := range s.menus {
		if err := r.Menus().Put(ctx, m); err != nil {
			return err
		}
	}
	rep.Menus += len(s.menus)
	for _, x := range s.recipients {
		if err := r.Recipients().Create(ctx, x); err != nil {
			return err
		}
	}
	rep.Recipients += len(s.recipients)
	for _, m := range s.mailboxes {
		if err := r.Mail().PutMailbox(ctx, m); err != nil {
			return err
		}
	}
	rep.Mailboxes += len(s.mailboxes)
	for _, sy := range s.syncs {
		if err := r.Mail().PutSync(ctx, sy); err != nil {
			return err
		}
	}
	if !s.lastAlert.IsZero() {
		if _, err := r.Surge().LockLastAlert(ctx); err != nil {
			return err
		}
		return r.Surge().SetLastAlert(ctx, s.lastAlert)
	}
	return nil
}

// writeMembers replays the joins in their order: the target numbers them
// anew (its own join counter), so each round-robin cursor is carried over
// as the new number of the member it pointed at (or the last member joined
// before it), which picks the same next member.
func (s *configSnapshot) writeMembers(ctx context.Context, r Repos, rep *CopyReport) error {
	seqs := map[string][]int64{}  // group → old seqs, ascending
	renum := map[string][]int64{} // group → new seqs, in step
	for _, m := range s.members {
		nm, err := r.Groups().AddMember(ctx, m.GroupID, m.AgentID, m.JoinedAt)
		if err != nil {
			return err
		}
		seqs[m.GroupID] = append(seqs[m.GroupID], m.Seq)
		renum[m.GroupID] = append(renum[m.GroupID], nm.Seq)
	}
	rep.Members += len(s.members)
	for _, g := range s.groups {
		cur := s.cursors[g.ID]
		if cur == 0 {
			continue
		}
		// The last member whose old seq is at or below the cursor.
		i, _ := slices.BinarySearch(seqs[g.ID], cur+1)
		if i == 0 {
			continue // every member joined after the cursor: 0 picks the same
		}
		// A fresh group's cursor is 0: advancing over this one seq sets it.
		if _, err := r.Groups().AdvanceCursor(ctx, g.ID, []int64{renum[g.ID][i-1]}); err != nil {
			return err
		}
	}
	return nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeCategories inserts the categories, every ancestor before its
// descendants.
func writeCategories(ctx context.Context, r Repos, cs []category.Category, rep *CopyReport) error {
	if err := r.Categories().Lock(ctx); err != nil {
		return err
	}
	slices.SortFunc(cs, func(a, b category.Category) int { return len(a.Path) - len(b.Path) })
	for _, x := range cs {
		if err := r.Categories().Insert(ctx, x); err != nil {
			return err
		}
	}
	rep.Categories += len(cs)
	return nil
}

// fieldSnapshot is the service's field definitions and layouts.
type fieldSnapshot struct {
	rows    []field.Field
	layouts []field.Layout
}

func (f *fieldSnapshot) read(ctx context.Context, r Repos) error {
	var err error
	if f.rows, err = r.Fields().Rows(ctx); err != nil {
		return err
	}
	f.layouts, err = r.Fields().Layouts(ctx)
	return err
}

func (f *fieldSnapshot) write(ctx context.Context, r Repos, rep *CopyReport) error {
	if err := r.Fields().Lock(ctx); err != nil {
		return err
	}
	for _, x := range f.rows {
		if err := r.Fields().Put(ctx, x); err != nil {
			return err
		}
	}
	rep.Fields += len(f.rows)
	if len(f.layouts) > 0 {
		if err := r.Fields().PutLayouts(ctx, f.layouts...); err != nil {
			return err
		}
	}
	rep.Layouts += len(f.layouts)
	return nil
}

// writeTriggers inserts the triggers with their positions (TRG-1).
func writeTriggers(ctx context.Context, r Repos, ts []trigger.Trigger, rep *CopyReport) error {
	if err := r.Triggers().Lock(ctx); err != nil {
		return err
	}
	for _, t := range ts {
		if err := r.Triggers().Insert(ctx, t); err != nil {
			return err
		}
	}
	rep.Triggers += len(ts)
	return nil
}

// ticketPage is one page of tickets read from the source, ascending by
// number, with what hangs off each.
type ticketPage struct {
	tickets  []ticket.Ticket
	comments [][]ticket.Comment
	changes  [][]ticket.Change
	links    []*DoorayLink
	records  [][]mail.Record
	files    [][]mail.File
}

// tickets copies the tickets in ascending number, a page per transaction,
// after the target's highest number.
func (c *copier) tickets() error {
	var last, done int64
	if err := c.read(func(r Repos) error { return highestNumber(c.ctx, r, &last) }); err != nil {
		return err
	}
	if err := c.write(func(r Repos) error { return highestNumber(c.ctx, r, &done) }); err != nil {
		return err
	}
	n := int64(c.opts.PageSize)
	for from := done + 1; from <= last; from += n {
		var p ticketPage
		if err := c.read(func(r Repos) error { p = ticketPage{}; return p.read(c.ctx, r, from, from+n) }); err != nil {
			return err
		}
		if len(p.tickets) == 0 {
			continue
		}
		var rep CopyReport
		if err := c.write(func(r Repos) error { rep = c.rep; return p.write(c.ctx, r, &rep) }); err != nil { // afresh in each run (Store.Tx)
			return err
		}
		c.rep = rep
		c.progress(CopyProgress{Phase: "tickets", TicketNumber: p.tickets[len(p.tickets)-1].Number, LastNumber: last})
	}
	return nil
}

// highestNumber reads the highest ticket number of the service (0: none).
func highestNumber(ctx context.Context, r Repos, n *int64) error {
	p, err := r.Tickets().List(ctx, ticket.Query{Filter: ticket.Filter{Limit: 1}})
	if err != nil || len(p.Tickets) == 0 {
		return err
	}
	*n = p.Tickets[0].Number
	return nil
}

// read reads the tickets numbered from lo to below hi.
func (p *ticketPage) read(ctx context.Context, r Repos, lo, hi int64) error {
	pg, err := r.Tickets().List(ctx, ticket.Query{Filter: ticket.Filter{Limit: int(hi - lo)}, Before: hi})
	if err != nil {
		return err
	}
	for _, t := range slices.Backward(pg.Tickets) {
		if t.Number < lo {
			continue
		}
		cs, err := r.Tickets().Comments(ctx, t.ID)
		if err != nil {
			return err
		}
		var hs []ticket.Change
		err = r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{TicketID: t.ID}, func(h ticket.Change) error {
			hs = append(hs, h)
			return nil
		})
		if err != nil {
			return err
		}
		var link *DoorayLink
		if l, err := r.DoorayLinks().ByTicket(ctx, t.ID); err == nil {
			link = &l
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		recs, files, err := readMail(ctx, r, t.ID)
		if err != nil {
			return err
		}
		p.tickets, p.comments, p.changes, p.links = append(p.tickets, t), append(p.comments, cs), append(p.changes, hs), append(p.links, link)
		p.records, p.files = append(p.records, recs), append(p.files, files)
	}
	return nil
}

// readMail reads a ticket's mail records and its attachments with their
// content.
func readMail(ctx context.Context, r Repos, ticketID string) ([]mail.Record, []mail.File, error) {
	recs, err := r.Mail().ByTicket(ctx, ticketID)
	if err != nil {
		return nil, nil, err
	}
	files, err := r.Mail().Files(ctx, ticketID)
	if err != nil {
		return nil, nil, err
	}
	for i, f := range files {
		if files[i], err = r.Mail().GetFile(ctx, f.ID); err != nil {
			return nil, nil, err
		}
	}
	return recs, files, nil
}

func (p *ticketPage) write(ctx context.Context, r Repos, rep *CopyReport) error {
	for i, t := range p.tickets {
		if err := r.Tickets().Import(ctx, t, p.changes[i], p.comments[i]); err != nil {
			return err
		}
		if l := p.links[i]; l != nil {
			if err := r.DoorayLinks().Insert(ctx, *l); err != nil {
				return err
			}
			rep.DoorayLinks++
		}
		for _, rec := range p.records[i] {
			if err := r.Mail().Add(ctx, rec); err != nil {
				return err
			}
		}
		for _, f := range p.files[i] {
			if err := r.Mail().AddFile(ctx, f); err != nil {
				return err
			}
		}
		rep.MailRecords += len(p.records[i])
		rep.MailFiles += len(p.files[i])
		rep.Tickets++
		rep.Comments += len(p.comments[i])
		rep.Changes += len(p.changes[i])
	}
	return nil
}

// outbox copies every message, newest first, a page per transaction,
// skipping the ids the target holds.
func (c *copier) outbox() error {
	list := func(r Repos, cursor string, limit int) ([]notify.Message, string, error) {
		q, err := notify.Filter{Limit: limit, Cursor: cursor}.Query()
		if err != nil {
			return nil, "", err
		}
		p, err := r.Outbox().List(c.ctx, q)
		return p.Messages, p.Next, err
	}
	write := func(r Repos, ms []notify.Message) error { return r.Outbox().Enqueue(c.ctx, ms...) }
	return copyPages(c, "outbox", list, func(m notify.Message) string { return m.ID }, write, &c.rep.Messages)
}

// logins copies the login log, newest first, a page per transaction,
// skipping the ids the target holds.
func (c *copier) logins() error {
	list := func(r Repos, cursor string, limit int) ([]agent.LoginEvent, string, error) {
		q, err := agent.LoginFilter{Limit: limit, Cursor: cursor}.Query()
		if err != nil {
			return nil, "", err
		}
		p, err := r.Logins().List(c.ctx, q)
		return p.Events, p.Next, err
	}
	write := func(r Repos, es []agent.LoginEvent) error {
		for _, e := range es {
			if err := r.Logins().Add(c.ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
	return copyPages(c, "logins", list, func(e agent.LoginEvent) string { return e.ID }, write, &c.rep.Logins)
}

// copyPages copies the rows list pages through, a page per transaction on
// each store: it reads the ids the target holds first, skips those, and
// adds how many it wrote to count.
func copyPages[T any](c *copier, phase string, list func(r Repos, cursor string, limit int) ([]T, string, error),
	id func(T) string, write func(Repos, []T) error, count *int) error {
	have := map[string]bool{}
	err := pages(func(cursor string) (next string, err error) {
		err = c.write(func(r Repos) error {
			var rows []T
			rows, next, err = list(r, cursor, ticket.MaxPageSize)
			for _, x := range rows {
				have[id(x)] = true
			}
			return err
		})
		return next, err
	})
	if err != nil {
		return err
	}
	return pages(func(cursor string) (next string, err error) {
		var rows []T
		err = c.read(func(r Repos) error {
			rows, next, err = list(r, cursor, c.opts.PageSize)
			return err
		})
		if err != nil {
			return "", err
		}
		rows = slices.DeleteFunc(rows, func(x T) bool { return have[id(x)] })
		if len(rows) > 0 {
			if err := c.write(func(r Repos) error { return write(r, rows) }); err != nil {
				return "", err
			}
			*count += len(rows)
			c.progress(CopyProgress{Phase: phase})
		}
		return next, nil
	})
}

// pages calls page with "" and then with each cursor it returns, until it
// returns "" or an error.
func pages(page func(cursor string) (string, error)) error {
	cursor := ""
	for {
		next, err := page(cursor)
		if err != nil || next == "" {
			return err
		}
		cursor = next
	}
}
