package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/template"
)

// ForbiddenWordsError refuses a reply that contains forbidden words
// (TKT-3, FWD-2): it lists every word found with its byte offsets in the
// reply as rendered. It matches ErrInvalid.
type ForbiddenWordsError = template.ForbiddenError

// Create adds a reply template (TPL-1; admin), linked to the
// processing categories of sp.CategoryIDs. Bad input returns a
// *ValidationError naming every bad field, each unknown #{code} of the
// content too; errors.As also finds in it a *template.ParseError with the
// byte offset of each (TPL-4). A search code another template has
// (compared case- and width-insensitively) returns a
// *template.DuplicateCodeError (it matches ErrConflict). Nothing is
// written on error.
func (h Templates) Create(ctx context.Context, sp template.New) (template.Template, error) {
	var out template.Template
	err := h.s.run(ctx, "Templates.Create", permSettings, func(o *op) error {
		sp, err := sp.Normalize()
		if err != nil {
			return err
		}
		tr := o.r.Templates()
		if err := tr.Lock(ctx); err != nil {
			return err
		}
		if err := checkFieldCodes(ctx, o, sp.Content); err != nil {
			return err
		}
		if err := checkProcessing(ctx, o, sp.CategoryIDs); err != nil {
			return err
		}
		t := template.Template{ID: h.s.desk.newID(), Title: sp.Title, Content: sp.Content, Code: sp.Code,
			CategoryIDs: sp.CategoryIDs, CreatedAt: o.now, UpdatedAt: o.now}
		if err := checkCode(ctx, tr, t); err != nil {
			return err
		}
		if err := tr.Insert(ctx, t); err != nil {
			return asDuplicate(err, &template.DuplicateCodeError{Code: t.Code})
		}
		out, err = tr.Get(ctx, t.ID)
		return err
	})
	return out, err
}

// Update changes a template's title, content and search code
// (admin); its links stay (sp.CategoryIDs is ignored: see Link).
// Errors are those of Create, and ErrNotFound.
func (h Templates) Update(ctx context.Context, id string, sp template.New) (template.Template, error) {
	if err := checkID("template", id); err != nil {
		return template.Template{}, err
	}
	var out template.Template
	err := h.s.run(ctx, "Templates.Update", permSettings, func(o *op) error {
		sp.CategoryIDs = nil
		sp, err := sp.Normalize()
		if err != nil {
			return err
		}
		tr := o.r.Templates()
		if err := tr.Lock(ctx); err != nil {
			return err
		}
		if err := checkFieldCodes(ctx, o, sp.Content); err != nil {
			return err
		}
		cur, err := tr.Get(ctx, id)
		if err != nil {
			return err
		}
		cur.Title, cur.Content, cur.Code, cur.UpdatedAt = sp.Title, sp.Content, sp.Code, o.now
		if err := checkCode(ctx, tr, cur); err != nil {
			return err
		}
		if err := tr.Save(ctx, cur); err != nil {
			return asDuplicate(err, &template.DuplicateCodeError{Code: cur.Code})
		}
		out = cur
		return nil
	})
	return out, err
}

// checkCode refuses t's search code when another template of the service
// has it (TPL-1). It reads the first template, in code order, whose code
// starts with t's: the one holding t's code if there is one.
func checkCode(ctx context.Context, tr template.Repository, t template.Template) error {
	first, err := tr.Find(ctx, template.Query{CodePrefix: t.Code, Limit: 1})
	if err != nil {
		return err
	}
	return template.CheckCode(first, t)
}

// asDuplicate reports a store's ErrConflict on a template or word write
// as dup, the typed duplicate error it is: the store's unique key caught a
// writer the lock did not hold back. The message is dup's: one problem,
// one message.
func asDuplicate(err, dup error) error {
	if errors.Is(err, ErrConflict) {
		return errs.With(dup, err)
	}
	return err
}

// Delete removes a template and its links (admin).
func (h Templates) Delete(ctx context.Context, id string) error {
	if err := checkID("template", id); err != nil {
		return err
	}
	return h.s.run(ctx, "Templates.Delete", permSettings, func(o *op) error { return o.r.Templates().Delete(ctx, id) })
}

// Link links a template to a processing category (TPL-2; admin);
// linking twice is no change. The category must be a live processing
// category of the service (else a *ValidationError on "category_id").
func (h Templates) Link(ctx context.Context, templateID, categoryID string) error {
	return h.s.run(ctx, "Templates.Link", permSettings, func(o *op) error {
		if err := checkProcessing(ctx, o, []string{categoryID}); err != nil {
			return err
		}
		return relink(ctx, o, templateID, func(t template.Template) (template.Template, bool) { return t.Link(categoryID) })
	})
}

// Unlink removes a template's link to a category (TPL-2; admin);
// removing a link that is not there is no change.
func (h Templates) Unlink(ctx context.Context, templateID, categoryID string) error {
	return h.s.run(ctx, "Templates.Unlink", permSettings, func(o *op) error {
		return relink(ctx, o, templateID, func(t template.Template) (template.Template, bool) { return t.Unlink(categoryID) })
	})
}

// relink changes a template's links with change and saves it, unless
// that is no change.
func relink(ctx context.Context, o *op, id string, change func(template.Template) (template.Template, bool)) error {
	tr := o.r.Templates()
	if err := tr.Lock(ctx); err != nil {
		return err
	}
	t, err := tr.Get(ctx, id)
	if err != nil {
		return err
	}
	if t, changed := change(t); changed {
		return tr.Save(ctx, t)
	}
	return nil
}

// unlinkCategory removes every template's link to a deleted category
// (TPL-2: templates are no longer offered under it).
func unlinkCategory(ctx context.Context, o *op, categoryID string) error {
	tr := o.r.Templates()
	if err := tr.Lock(ctx); err != nil {
		return err
	}
	linked, err := tr.Find(ctx, template.Query{CategoryID: categoryID})
	if err != nil {
		return err
	}
	for _, t := range linked {
		t, _ = t.Unlink(categoryID)
		if err := tr.Save(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// checkProcessing checks that every id is a live processing category.
func checkProcessing(ctx context.Context, o *op, ids []string) error {
	var c errs.Collector
	field := "category_id"
	if len(ids) != 1 {
		field = "category_ids"
	}
	for _, id := range ids {
		cat, err := o.r.Categories().Get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound) || err == nil && cat.Deleted:
			c.Add(field, "no category %q in this service", id)
		case err != nil:
			return err
		case cat.Tree != category.Processing:
			c.Add(field, "category %q is in the %s tree; templates link to processing categories", id, cat.Tree)
		}
	}
	return c.Err()
}

// Get returns a template with its links.
func (h Templates) Get(ctx context.Context, id string) (template.Template, error) {
	if err := checkID("template", id); err != nil {
		return template.Template{}, err
	}
	var out template.Template
	err := h.s.run(ctx, "Templates.Get", permRead, func(o *op) (err error) {
		out, err = o.r.Templates().Get(ctx, id)
		return err
	})
	return out, err
}

// List lists every template by search code.
func (h Templates) List(ctx context.Context) ([]template.Template, error) {
	var out []template.Template
	err := h.s.run(ctx, "Templates.List", permRead, func(o *op) (err error) {
		out, err = o.r.Templates().Find(ctx, template.Query{})
		return err
	})
	return out, err
}

// InCategory lists the templates linked to a processing category
// (TPL-2), by search code.
func (h Templates) InCategory(ctx context.Context, categoryID string) ([]template.Template, error) {
	if err := checkID("category", categoryID); err != nil {
		return nil, err
	}
	var out []template.Template
	err := h.s.run(ctx, "Templates.InCategory", permRead, func(o *op) (err error) {
		out, err = o.r.Templates().Find(ctx, template.Query{CategoryID: categoryID})
		return err
	})
	return out, err
}

// Search finds templates by search-code prefix and by words in
// their title or content (TPL-3), by search code.
func (h Templates) Search(ctx context.Context, q template.Query) ([]template.Template, error) {
	var out []template.Template
	err := h.s.run(ctx, "Templates.Search", permRead, func(o *op) error {
		q, err := q.Normalize()
		if err != nil {
			return err
		}
		out, err = o.r.Templates().Find(ctx, q)
		return err
	})
	return out, err
}

// ForTicket lists the templates offered for a ticket: those linked to
// its processing category (none when it has none). It needs ticket
// reading.
func (h Templates) ForTicket(ctx context.Context, ticketID string) ([]template.Template, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return nil, err
	}
	var out []template.Template
	err := h.s.run(ctx, "Templates.ForTicket", permTicketRead, func(o *op) error {
		t, err := o.r.Tickets().Get(ctx, ticketID)
		if err != nil || t.ProcessingCategoryID == "" {
			return err
		}
		out, err = o.r.Templates().Find(ctx, template.Query{CategoryID: t.ProcessingCategoryID})
		return err
	})
	return out, err
}

// PreviewReply runs the checks of a public reply with body on a ticket,
// as Reply does, without storing or sending anything (TKT-3): the body
// is returned as written (a plain reply is not a template). It needs
// ticket work. Forbidden words are a *ForbiddenWordsError, returned with
// the text its offsets point into.
func (h Tickets) PreviewReply(ctx context.Context, ticketID, body string) (string, error) {
	var c errs.Collector
	text.Check(&c, "body", body, true, h.s.desk.limits.MaxContentBytes)
	if err := c.Err(); err != nil {
		return "", err
	}
	return h.s.preview(ctx, "Tickets.PreviewReply", ticketID, func(*op, ticket.Ticket) (string, error) { return body, nil })
}

// TemplateReply is a reply made from a reply template (TPL-1): the
// template's content rendered for the ticket, then the agent's own text.
type TemplateReply struct {
	// TemplateID is the template to reply with; required.
	TemplateID string
	// Additions is the agent's own text, put after the rendered template
	// with a blank line between them; it may be empty. Like a plain reply
	// it is not a template: it is kept as written, "#{" and all.
	Additions string
	// Internal makes the comment an internal note, not sent to the
	// customer.
	Internal bool
	// Status, when set, moves the ticket after the reply, as Reply.Status.
	Status ticket.Status
	// IdempotencyKey makes the reply safe to retry, as Reply.IdempotencyKey
	// (STO-3); Reply and ReplyWithTemplate share the keys of a ticket.
	IdempotencyKey string
}

// ReplyWithTemplate replies to a ticket with a reply template (TKT-3,
// TPL-4): the template's #{codes} are rendered with the ticket's values
// (#{content} is the ticket's content, #{agentName} the calling agent's
// name; values are put in as they are, never read as codes), r.Additions
// is put after it as written, and the result is checked and stored exactly
// like a Reply with that body: the forbidden-word check for a public reply
// (a *ForbiddenWordsError on the text as rendered), the status move, the
// automatic mail. Bad input is a *ValidationError: "template_id" (missing,
// or no template of the service), "additions", "status", and "body" for
// the reply as rendered (empty, or over the content limit). Nothing is
// stored on error.
func (h Tickets) ReplyWithTemplate(ctx context.Context, ticketID string, r TemplateReply) (ticket.Comment, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return ticket.Comment{}, err
	}
	if err := r.check(h.s.desk.limits.MaxContentBytes); err != nil {
		return ticket.Comment{}, err
	}
	return h.s.reply(ctx, "Tickets.ReplyWithTemplate", ticketID, r.Internal, r.Status, r.IdempotencyKey, func(o *op, t ticket.Ticket) (string, error) {
		return renderTemplateReply(ctx, o, t, r)
	})
}

// PreviewTemplateReply renders a template reply for a ticket and runs the
// checks of a public reply on it, as ReplyWithTemplate does, without
// storing or sending anything (r.Internal and r.Status are not used). It
// returns the text a reply would store; errors are those of
// ReplyWithTemplate, and a *ForbiddenWordsError comes with the rendered
// text its offsets point into. It needs ticket work.
func (h Tickets) PreviewTemplateReply(ctx context.Context, ticketID string, r TemplateReply) (string, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return "", err
	}
	r.Status = ""
	if err := r.check(h.s.desk.limits.MaxContentBytes); err != nil {
		return "", err
	}
	return h.s.preview(ctx, "Tickets.PreviewTemplateReply", ticketID, func(o *op, t ticket.Ticket) (string, error) {
		return renderTemplateReply(ctx, o, t, r)
	})
}

// check checks what r says before anything is read.
func (r TemplateReply) check(maxBytes int) error {
	var c errs.Collector
	if strings.TrimSpace(r.TemplateID) == "" {
		c.Add("template_id", "is required")
	}
	text.Check(&c, "additions", r.Additions, false, maxBytes)
	if r.Status != "" && !r.Status.Valid() {
		c.Add("status", "unknown status %q", r.Status)
	}
	checkKey(&c, r.IdempotencyKey)
	return c.Err()
}

// renderTemplateReply returns the text of template reply r on ticket t:
// the template's content rendered with t's values (TPL-4), then the
// additions as written.
func renderTemplateReply(ctx context.Context, o *op, t ticket.Ticket, r TemplateReply) (string, error) {
	tp, err := o.r.Templates().Get(ctx, r.TemplateID)
	if errors.Is(err, ErrNotFound) {
		var c errs.Collector
		c.Add("template_id", "no template %q in this service", r.TemplateID)
		return "", c.Err()
	} else if err != nil {
		return "", err
	}
	c, err := template.Parse(tp.Content) // parsed when it was saved
	if err != nil {
		return "", errs.Wrap(err, "template %q", tp.ID)
	}
	v, err := ticketValues(ctx, o, t, c)
	if err != nil {
		return "", err
	}
	text := c.Render(v, template.Text)
	switch {
	case strings.TrimSpace(r.Additions) == "":
	case strings.TrimSpace(text) == "":
		text = r.Additions
	default:
		text = strings.TrimRight(text, " \t\r\n") + "\n\n" + r.Additions
	}
	if strings.TrimSpace(text) == "" {
		var ce errs.Collector
		ce.Add("body", "template %q renders empty for this ticket and there are no additions", tp.Code)
		return "", ce.Err()
	}
	return text, nil
}

// preview makes a reply's text with body on the ticket and checks it as a
// public reply, storing nothing. With a *ForbiddenWordsError it returns
// the text too.
func (s *Session) preview(ctx context.Context, call, ticketID string, body func(*op, ticket.Ticket) (string, error)) (string, error) {
	var out string
	err := s.run(ctx, call, permTicketWork, func(o *op) error {
		t, err := o.r.Tickets().Get(ctx, ticketID)
		if err != nil {
			return err
		}
		if out, err = body(o, t); err != nil {
			return err
		}
		return s.checkReply(ctx, o, out, false)
	})
	var fe *ForbiddenWordsError
	if err != nil && !errors.As(err, &fe) {
		out = ""
	}
	return out, err
}

// checkReply holds a reply's text, as it will be stored, to the content
// limit and, unless it is an internal note (agents only), to the
// forbidden-word list (TKT-3, FWD-2).
func (s *Session) checkReply(ctx context.Context, o *op, text string, internal bool) error {
	if len(text) > s.desk.limits.MaxContentBytes {
		var ce errs.Collector
		ce.Add("body", "is %d bytes as rendered, over the limit of %d", len(text), s.desk.limits.MaxContentBytes)
		return ce.Err()
	}
	if internal {
		return nil
	}
	m, err := s.desk.forbiddenMatcher(ctx, o, s.svc)
	if err != nil {
		return err
	}
	return m.Check(text)
}

// ticketValues are the values of t's codes (TPL-4) for the actor of o: the
// ticket's content, number, title, requester's name, the agent's name, the
// intake category's name in the ticket's language (read only when c uses
// it) and the field values.
func ticketValues(ctx context.Context, o *op, t ticket.Ticket, cs ...*template.Compiled) (template.Values, error) {
	v := template.Values{Content: t.Content, TicketID: strconv.FormatInt(t.Number, 10), Title: t.Title,
		CustomerName: t.Requester.Name}
	if o.agent != nil {
		v.AgentName = o.agent.Name
	}
	usesIntake := false
	for _, c := range cs {
		usesIntake = usesIntake || c.Uses(template.CodeIntakeType)
	}
	if t.IntakeCategoryID != "" && usesIntake {
		cat, err := o.r.Categories().Get(ctx, t.IntakeCategoryID)
		switch {
		case err == nil:
			v.IntakeType = cat.Name.Get(t.Language, o.svc.DefaultLanguage)
		case !errors.Is(err, ErrNotFound):
			return v, err
		}
	}
	if n := len(t.CustomerFields) + len(t.AgentFields); n > 0 {
		v.Fields = make(map[string]string, n)
		for _, fs := range []ticket.Fields{t.CustomerFields, t.AgentFields} {
			for k, x := range fs {
				v.Fields[k] = ticket.FormatValue(x)
			}
		}
	}
	return v, nil
}

// cachedMatcher is a service's forbidden-word matcher with the version of
// the list it was built from (template.WordList.Version); Desk.matchers
// holds one per service id. Versions are never reused by a store, and a
// Desk has one store, so an entry stays right until the list changes.
type cachedMatcher struct {
	version string
	m       *template.Matcher
}

// forbiddenMatcher returns the matcher of the service's list as o's
// transaction sees it, built once per version of the list; nil for a list
// never changed. While the list is unchanged this is one read of its
// version.
func (d *Desk) forbiddenMatcher(ctx context.Context, o *op, svc string) (*template.Matcher, error) {
	var known cachedMatcher
	if c, ok := d.matchers.Load(svc); ok {
		known = *c.(*cachedMatcher)
	}
	l, err := o.r.Templates().Words(ctx, known.version)
	switch {
	case err != nil || l.Version == "":
		return nil, err
	case l.Version == known.version:
		return known.m, nil
	}
	ws := make([]string, len(l.Words))
	for i, w := range l.Words {
		ws[i] = w.Word
	}
	m := template.NewMatcher(ws)
	d.matchers.Store(svc, &cachedMatcher{version: l.Version, m: m})
	return m, nil
}

// Add adds words to the service's forbidden-word list
// (FWD-1; admin), all or none. Each is trimmed; a word that is empty, spans
// lines or is over template.MaxWordBytes is a problem of the
// *ValidationError ("words[i]"); a word listed already, or given twice
// (compared folded: case and width do not matter), a
// *template.DuplicateWordError; a list grown past template.MaxWords a
// problem on "words". It returns the new entries.
func (h ForbiddenWords) Add(ctx context.Context, words ...string) ([]template.ForbiddenWord, error) {
	var out []template.ForbiddenWord
	err := h.s.run(ctx, "ForbiddenWords.Add", permSettings, func(o *op) error {
		var c errs.Collector
		if len(words) == 0 {
			c.Add("words", "at least one word is required")
		}
		ws := make([]template.ForbiddenWord, 0, len(words))
		for i, w := range words {
			w, err := template.NormalizeWord(w)
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					c.Add(fmt.Sprintf("words[%d]", i), "%s", p.Reason)
				}
				continue
			}
			ws = append(ws, template.ForbiddenWord{ID: h.s.desk.newID(), Word: w, CreatedAt: o.now})
		}
		if err := c.Err(); err != nil {
			return err
		}
		tr := o.r.Templates()
		if err := tr.Lock(ctx); err != nil {
			return err
		}
		l, err := tr.Words(ctx, "")
		if err != nil {
			return err
		}
		if err := template.CheckWords(l.Words, ws); err != nil {
			return err
		}
		if err := tr.InsertWords(ctx, ws); err != nil {
			return asDuplicate(err, &template.DuplicateWordError{Word: ws[0].Word}) // which one a store cannot say
		}
		out = ws
		return nil
	})
	return out, err
}

// Update respells an entry of the list (admin). Errors are
// those of Add, and ErrNotFound.
func (h ForbiddenWords) Update(ctx context.Context, id, word string) error {
	return h.s.run(ctx, "ForbiddenWords.Update", permSettings, func(o *op) error {
		word, err := template.NormalizeWord(word)
		if err != nil {
			return err
		}
		tr := o.r.Templates()
		if err := tr.Lock(ctx); err != nil {
			return err
		}
		l, err := tr.Words(ctx, "")
		if err != nil {
			return err
		}
		k := slices.IndexFunc(l.Words, func(w template.ForbiddenWord) bool { return w.ID == id })
		if k < 0 {
			return errs.NotFound("forbidden word", id)
		}
		w := l.Words[k]
		w.Word = word
		if err := template.CheckWords(l.Words, []template.ForbiddenWord{w}); err != nil {
			return err
		}
		return asDuplicate(tr.SaveWord(ctx, w), &template.DuplicateWordError{Word: word})
	})
}

// Delete removes an entry of the list (admin).
func (h ForbiddenWords) Delete(ctx context.Context, id string) error {
	if err := checkID("forbidden word", id); err != nil {
		return err
	}
	return h.s.run(ctx, "ForbiddenWords.Delete", permSettings, func(o *op) error { return o.r.Templates().DeleteWord(ctx, id) })
}

// List lists the service's forbidden words, by their folded
// form.
func (h ForbiddenWords) List(ctx context.Context) ([]template.ForbiddenWord, error) {
	var out []template.ForbiddenWord
	err := h.s.run(ctx, "ForbiddenWords.List", permRead, func(o *op) error {
		l, err := o.r.Templates().Words(ctx, "")
		out = l.Words
		return err
	})
	return out, err
}

// checkFieldCodes refuses #{field.KEY} codes of content that name no field
// of the service (TPL-4: an unknown code is refused when saved), each as a
// problem on "content".
func checkFieldCodes(ctx context.Context, o *op, content string) error {
	c, err := template.Parse(content) // parsed by Normalize already: no error
	if err != nil {
		return err
	}
	var ce errs.Collector
	for _, code := range c.Used() {
		key, ok := strings.CutPrefix(code, template.FieldPrefix)
		if !ok {
			continue
		}
		if _, err := getField(ctx, o, key); errors.Is(err, ErrNotFound) {
			ce.Add("content", "#{%s}: no field %q in this service", code, key)
		} else if err != nil {
			return err
		}
	}
	return ce.Err()
}
