package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
)

// tplCategories makes an intake and a processing category in acme.
func tplCategories(t *testing.T, f *fixture) (intake, processing category.Category) {
	t.Helper()
	ctx := context.Background()
	intake, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "배송", "en": "Delivery"}})
	require.NoError(t, err)
	processing, err = f.admin.Categories().Create(ctx, category.New{Tree: category.Processing, Name: i18n.Text{"ko": "환불 처리"}})
	require.NoError(t, err)
	return intake, processing
}

func tplComments(t *testing.T, f *fixture, ticketID string) []ticket.Comment {
	t.Helper()
	cs, err := f.sys.Tickets().Comments(context.Background(), ticketID)
	require.NoError(t, err)
	return cs
}

func TestTemplates_TPL1_CreateUpdateDeleteAdminOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sp := template.New{Title: " 환불 안내 ", Content: "#{customerName}님, 환불은 3일 안에 됩니다.", Code: "refund"}
	_, err := f.agent.Templates().Create(ctx, sp)
	require.ErrorIs(t, err, helpdesk.ErrForbidden, "config changes need the admin role")

	tp, err := f.admin.Templates().Create(ctx, sp)
	require.NoError(t, err)
	assert.Equal(t, "환불 안내", tp.Title)
	assert.Equal(t, f.now, tp.CreatedAt)

	got, err := f.agent.Templates().Get(ctx, tp.ID)
	require.NoError(t, err, "agents can read")
	assert.Equal(t, tp, got)
	l, err := f.agent.Templates().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []template.Template{tp}, l)

	_, err = f.admin.Templates().Create(ctx, template.New{Title: "x", Content: "x", Code: "ＲＥＦＵＮＤ"})
	var dup *template.DuplicateCodeError
	require.ErrorAs(t, err, &dup, "the search code is unique, case and width aside")
	assert.ErrorIs(t, err, helpdesk.ErrConflict)

	upd, err := f.admin.Templates().Update(ctx, tp.ID, template.New{Title: "환불", Content: "#{agentName} 드림", Code: "refund-2"})
	require.NoError(t, err)
	assert.Equal(t, "refund-2", upd.Code)
	assert.Equal(t, tp.CreatedAt, upd.CreatedAt)
	assert.True(t, upd.UpdatedAt.After(tp.UpdatedAt))
	_, err = f.agent.Templates().Update(ctx, tp.ID, template.New{Title: "x", Content: "x", Code: "x"})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)

	_, err = f.other.As(helpdesk.AgentID(f.foreignAgentID)).Templates().Get(ctx, tp.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")

	require.ErrorIs(t, f.agent.Templates().Delete(ctx, tp.ID), helpdesk.ErrForbidden)
	require.NoError(t, f.admin.Templates().Delete(ctx, tp.ID))
	_, err = f.agent.Templates().Get(ctx, tp.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func TestTemplates_TPL4_UnknownCodeRefusedNothingWritten(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	content := "안녕하세요 #{customerName}님, #{ticketNo} 건입니다."
	_, err := f.admin.Templates().Create(ctx, template.New{Title: "", Content: content, Code: "bad code"})
	assert.ElementsMatch(t, []string{"title", "code", "content"}, problems(t, err), "every problem at once")
	var pe *template.ParseError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Codes, 1)
	assert.Equal(t, strings.Index(content, "#{ticketNo}"), pe.Codes[0].Offset)

	tp, err := f.admin.Templates().Create(ctx, template.New{Title: "ok", Content: "ok", Code: "ok"})
	require.NoError(t, err)
	_, err = f.admin.Templates().Update(ctx, tp.ID, template.New{Title: "ok", Content: "#{nope}", Code: "ok"})
	require.ErrorAs(t, err, &pe)
	l, err := f.admin.Templates().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []template.Template{tp}, l, "nothing written")
}

func TestTemplates_TPL2_TPL3_LinksSearchAndTemplatesFor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	intake, proc := tplCategories(t, f)
	a, err := f.admin.Templates().Create(ctx, template.New{Title: "카드 환불", Content: "카드사 취소", Code: "refund-card", CategoryIDs: []string{proc.ID}})
	require.NoError(t, err)
	assert.Equal(t, []string{proc.ID}, a.CategoryIDs)
	b, err := f.admin.Templates().Create(ctx, template.New{Title: "Refund by bank", Content: "Bank transfer", Code: "refund-bank"})
	require.NoError(t, err)

	_, err = f.admin.Templates().Create(ctx, template.New{Title: "x", Content: "x", Code: "x", CategoryIDs: []string{intake.ID, "nope"}})
	assert.Equal(t, []string{"category_ids", "category_ids"}, problems(t, err), "intake and unknown categories refused")
	assert.Equal(t, []string{"category_id"}, problems(t, f.admin.Templates().Link(ctx, b.ID, intake.ID)))
	require.ErrorIs(t, f.agent.Templates().Link(ctx, b.ID, proc.ID), helpdesk.ErrForbidden)
	require.NoError(t, f.admin.Templates().Link(ctx, b.ID, proc.ID))
	require.ErrorIs(t, f.admin.Templates().Link(ctx, "nope", proc.ID), helpdesk.ErrNotFound)

	in, err := f.agent.Templates().InCategory(ctx, proc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, a.ID}, ids(in), "by search code")

	n := newTicket()
	n.ProcessingCategoryID = proc.ID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	offered, err := f.agent.Templates().ForTicket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, a.ID}, ids(offered))
	none, err := f.agent.Templates().ForTicket(ctx, f.ticket(t).ID)
	require.NoError(t, err)
	assert.Empty(t, none, "a ticket without a processing category is offered none")

	require.NoError(t, f.admin.Templates().Unlink(ctx, b.ID, proc.ID))
	offered, err = f.agent.Templates().ForTicket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, ids(offered))

	found, err := f.agent.Templates().Search(ctx, template.Query{CodePrefix: "REFUND-"})
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, a.ID}, ids(found))
	found, err = f.agent.Templates().Search(ctx, template.Query{Words: "환불 카드"})
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, ids(found))
	_, err = f.agent.Templates().Search(ctx, template.Query{Limit: -1})
	assert.Equal(t, []string{"limit"}, problems(t, err))
}

func ids(ts []template.Template) []string {
	out := []string{}
	for _, tp := range ts {
		out = append(out, tp.ID)
	}
	return out
}

func TestReplyWithTemplate_TKT3_TPL4_CodesRendered(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	intake, _ := tplCategories(t, f)
	n := newTicket()
	n.Language, n.IntakeCategoryID, n.Title = "en", intake.ID, "Where is my parcel?"
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	// field values straight into the store: field definitions are not
	// what this test is about
	require.NoError(t, f.store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		cur, err := r.Tickets().Get(ctx, tk.ID)
		require.NoError(t, err)
		cur.CustomerFields = ticket.Fields{"order_no": "A-17"}
		cur.AgentFields = ticket.Fields{"refund": 12.5}
		return r.Tickets().Update(ctx, &cur, nil)
	}))
	for _, key := range []string{"order_no", "refund"} {
		_, err := f.admin.Fields().Create(ctx, field.New{Key: key, Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": key}})
		require.NoError(t, err)
	}
	tp, err := f.admin.Templates().Create(ctx, template.New{Title: "Parcel", Code: "parcel",
		Content: "#{customerName}님 (#{ticketId}) \"#{title}\" [#{intakeType}] #{field.order_no} #{field.refund} — #{agentName}: #{content}\n"})
	require.NoError(t, err)

	r := helpdesk.TemplateReply{TemplateID: tp.ID, Additions: "P.S. #{not a code}, <b>as written</b>"}
	want := "Lee님 (1) \"Where is my parcel?\" [Delivery] A-17 12.5 — Agent: Please help\n\nP.S. #{not a code}, <b>as written</b>"
	preview, err := f.agent.Tickets().PreviewTemplateReply(ctx, tk.ID, r)
	require.NoError(t, err)
	assert.Equal(t, want, preview, "the template rendered, a blank line, the additions as written")
	assert.Empty(t, tplComments(t, f, tk.ID), "a preview stores nothing")
	assert.Empty(t, outbox(t, f), "and sends nothing")

	c, err := f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, r)
	require.NoError(t, err)
	assert.Equal(t, want, c.Body, "the reply is stored rendered")
	assert.Equal(t, ticket.CommentPublic, c.Kind)
	assert.Equal(t, want, tplComments(t, f, tk.ID)[0].Body)
	got, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, got.Status, "an agent's first public reply opens the ticket (TKT-2)")
	msgs := outbox(t, f)
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0].Payload.Text, want, "and sent rendered (the manual-processing mail)")
	assert.Equal(t, "auto_mail:manual:"+c.ID, msgs[0].IdempotencyKey)

	sysPreview, err := f.sys.Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sysPreview, "Lee님 (1) \"Where is my parcel?\" [Delivery] A-17 12.5 — : Please help"),
		"the system has no name; no additions, no blank line: %q", sysPreview)

	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{Status: "nope"})
	assert.ElementsMatch(t, []string{"template_id", "status"}, problems(t, err))
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: "nope"})
	assert.Equal(t, []string{"template_id"}, problems(t, err), "no such template")
	foreign, err := f.other.As(helpdesk.System).Templates().Create(ctx, template.New{Title: "x", Content: "x", Code: "x"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: foreign.ID})
	assert.Equal(t, []string{"template_id"}, problems(t, err), "another service's template is none of this one (SVC-1)")
	_, err = f.agent.Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: "nope"})
	assert.Equal(t, []string{"template_id"}, problems(t, err))
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, "no-such-ticket", helpdesk.TemplateReply{TemplateID: tp.ID})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Len(t, tplComments(t, f, tk.ID), 1, "nothing stored")
	assert.Len(t, outbox(t, f), 1, "nothing sent")

	// A template that renders empty needs additions.
	empty, err := f.admin.Templates().Create(ctx, template.New{Title: "Sign", Content: "#{agentName}", Code: "sign"})
	require.NoError(t, err)
	_, err = f.sys.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: empty.ID})
	assert.Equal(t, []string{"body"}, problems(t, err), "the system has no name: nothing to say")
	c, err = f.sys.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: empty.ID, Additions: "Thanks", Internal: true})
	require.NoError(t, err)
	assert.Equal(t, "Thanks", c.Body, "the additions alone, no blank line before them")
	assert.Equal(t, ticket.CommentInternal, c.Kind)
	assert.Len(t, outbox(t, f), 1, "an internal note mails nobody")
}

// TKT-3: a plain reply is not a template. Its text is stored, checked and
// sent as written: "#{" in it is text, known codes are not rendered, and
// nothing in it is an error for the agent.
func TestReply_TKT3_PlainReplyIsNotATemplate(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	tk := f.ticket(t)
	for _, body := range []string{"#{not a code}", "Ruby: \"#{name}\" and ##{x}", "Dear #{customerName}", "unclosed #{"} {
		preview, err := f.agent.Tickets().PreviewReply(ctx, tk.ID, body)
		require.NoError(t, err, body)
		assert.Equal(t, body, preview)
		c, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: body})
		require.NoError(t, err, body)
		assert.Equal(t, body, c.Body, "stored as written")
		n, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: body, Internal: true})
		require.NoError(t, err, body)
		assert.Equal(t, body, n.Body, "a note too")
	}
	cs := tplComments(t, f, tk.ID)
	require.Len(t, cs, 8)
	assert.Equal(t, "Dear #{customerName}", cs[4].Body)
	msgs := outbox(t, f)
	require.Len(t, msgs, 4, "one manual-processing mail per public reply")
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Payload.Text)
	}
	assert.Contains(t, texts, "안녕하세요.\n\n답변: Dear #{customerName} (1)\n\n감사합니다.",
		"the reply is #{content} of the mail, put in as it is, not read as codes")
}

func TestReply_TKT3_FWD2_ForbiddenWordRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	n := newTicket()
	n.Title = "바보 같은 배송"
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.admin.ForbiddenWords().Add(ctx, "바보", "Scam")
	require.NoError(t, err)
	tp, err := f.admin.Templates().Create(ctx, template.New{Title: "Re", Content: "Re: #{title}", Code: "re"})
	require.NoError(t, err)

	before, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "이건 ｓｃａｍ 아닙니다.", Status: ticket.StatusSolved})
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var fe *helpdesk.ForbiddenWordsError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, []template.Hit{{Word: "Scam", Start: 7, End: 19}}, fe.Hits)

	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID, Additions: "이건 ｓｃａｍ 아닙니다.", Status: ticket.StatusSolved})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Re: 바보 같은 배송\n\n이건 ｓｃａｍ 아닙니다.", fe.Text, "checked as rendered (TKT-3)")
	require.Len(t, fe.Hits, 2)
	assert.Equal(t, "바보", fe.Text[fe.Hits[0].Start:fe.Hits[0].End], "a word that came in through a code counts too")
	assert.Equal(t, "ｓｃａｍ", fe.Text[fe.Hits[1].Start:fe.Hits[1].End])
	assert.Equal(t, []string{"바보", "Scam"}, fe.Words())

	after, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the ticket did not move")
	assert.Empty(t, tplComments(t, f, tk.ID), "nothing stored")
	assert.Empty(t, outbox(t, f), "nothing sent")

	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "바 보", Internal: true})
	require.NoError(t, err)
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID, Internal: true})
	require.NoError(t, err, "internal notes are not checked (FWD-2 is about the customer)")

	rendered, err := f.agent.Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID, Internal: true})
	require.ErrorAs(t, err, &fe, "a preview checks as a public reply")
	assert.Equal(t, "Re: 바보 같은 배송", rendered, "a refused preview still shows the rendered text")
	assert.Equal(t, []template.Hit{{Word: "바보", Start: 4, End: 10}}, fe.Hits)
	rendered, err = f.agent.Tickets().PreviewReply(ctx, tk.ID, "BAD: 바보")
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "BAD: 바보", rendered)
}

func TestForbiddenWords_FWD1_CRUDAndCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tk := f.ticket(t)
	refused := func(body string) bool {
		t.Helper()
		_, err := f.agent.Tickets().PreviewReply(ctx, tk.ID, body)
		var fe *helpdesk.ForbiddenWordsError
		if err != nil && !errors.As(err, &fe) {
			require.NoError(t, err)
		}
		return fe != nil
	}
	assert.False(t, refused("scam"), "no list, no refusal")

	_, err := f.agent.ForbiddenWords().Add(ctx, "scam")
	require.ErrorIs(t, err, helpdesk.ErrForbidden)
	_, err = f.admin.ForbiddenWords().Add(ctx, "ok", " ", "two\nlines")
	assert.Equal(t, []string{"words[1]", "words[2]"}, problems(t, err))
	_, err = f.admin.ForbiddenWords().Add(ctx)
	assert.Equal(t, []string{"words"}, problems(t, err))

	ws, err := f.admin.ForbiddenWords().Add(ctx, " scam ", "fraud")
	require.NoError(t, err)
	require.Len(t, ws, 2)
	assert.Equal(t, "scam", ws[0].Word)
	_, err = f.admin.ForbiddenWords().Add(ctx, "new", "ＳＣＡＭ")
	var dup *template.DuplicateWordError
	require.ErrorAs(t, err, &dup)
	assert.Equal(t, "ＳＣＡＭ", dup.Word)
	list, err := f.agent.ForbiddenWords().List(ctx)
	require.NoError(t, err, "agents can read the list")
	assert.Equal(t, []string{"fraud", "scam"}, wordsOf(list), "the refused batch wrote nothing")

	assert.True(t, refused("a SCAM"))
	assert.False(t, refused("a scar"))
	require.ErrorIs(t, f.agent.ForbiddenWords().Update(ctx, ws[0].ID, "scar"), helpdesk.ErrForbidden)
	require.NoError(t, f.admin.ForbiddenWords().Update(ctx, ws[0].ID, "scar"))
	assert.False(t, refused("a SCAM"), "the old word is gone from the cached matcher")
	assert.True(t, refused("a scar"), "the new one is in")
	require.ErrorAs(t, f.admin.ForbiddenWords().Update(ctx, ws[0].ID, "FRAUD"), &dup)
	require.ErrorIs(t, f.admin.ForbiddenWords().Update(ctx, "nope", "x"), helpdesk.ErrNotFound)
	assert.Equal(t, []string{"word"}, problems(t, f.admin.ForbiddenWords().Update(ctx, ws[0].ID, "")))

	require.ErrorIs(t, f.agent.ForbiddenWords().Delete(ctx, ws[0].ID), helpdesk.ErrForbidden)
	require.NoError(t, f.admin.ForbiddenWords().Delete(ctx, ws[0].ID))
	require.NoError(t, f.admin.ForbiddenWords().Delete(ctx, ws[1].ID))
	assert.False(t, refused("a scar fraud"), "an emptied list refuses nothing")
	require.ErrorIs(t, f.admin.ForbiddenWords().Delete(ctx, ws[1].ID), helpdesk.ErrNotFound)

	// SVC-1: lists are per service
	foreign := f.other.As(helpdesk.AgentID(f.foreignAgentID))
	_, err = foreign.ForbiddenWords().Add(ctx, "hello")
	require.NoError(t, err)
	assert.False(t, refused("hello"))
}

func wordsOf(ws []template.ForbiddenWord) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Word)
	}
	return out
}

// TestForbiddenWords_FWD2_CacheBelongsToTheDesk: each desk caches the
// matchers of its own store. Two desks over two stores, a service of the
// same id in each, lists of different words whose versions are the same
// string: each desk still checks replies against its own list.
func TestForbiddenWords_FWD2_CacheBelongsToTheDesk(t *testing.T) {
	ctx := context.Background()
	type deskT struct {
		store    helpdesk.Store
		sys      *helpdesk.Session
		ticketID string
	}
	mk := func(word string) deskT {
		store := sameVersionStore{memory.New()}
		d, err := helpdesk.New(helpdesk.Config{Store: store})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		_, err = d.CreateService(ctx, helpdesk.NewService{ID: "same", Settings: helpdesk.Settings{Name: "S", Languages: []string{"ko"},
			Channels: helpdesk.Channels{Ticket: true}}})
		require.NoError(t, err)
		sys := d.Service("same").As(helpdesk.System)
		_, err = sys.ForbiddenWords().Add(ctx, word)
		require.NoError(t, err)
		tk, err := sys.Tickets().Create(ctx, newTicket())
		require.NoError(t, err)
		return deskT{store: store, sys: sys, ticketID: tk.ID}
	}
	one, two := mk("apple"), mk("banana")
	for _, d := range []deskT{one, two} {
		require.NoError(t, d.store.Tx(ctx, "same", func(r helpdesk.Repos) error {
			l, err := r.Templates().Words(ctx, "")
			require.NoError(t, err)
			assert.Equal(t, "v1", l.Version, "the versions collide")
			return nil
		}))
	}
	for range 3 {
		_, err := one.sys.Tickets().PreviewReply(ctx, one.ticketID, "apple")
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		_, err = one.sys.Tickets().PreviewReply(ctx, one.ticketID, "banana")
		assert.NoError(t, err)
		_, err = two.sys.Tickets().PreviewReply(ctx, two.ticketID, "banana")
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		_, err = two.sys.Tickets().PreviewReply(ctx, two.ticketID, "apple")
		assert.NoError(t, err)
	}
}

// sameVersionStore is a memory store whose forbidden-word lists, once
// changed, all have the version "v1": lists of different stores whose
// versions happen to be equal.
type sameVersionStore struct{ *memory.Store }

func (s sameVersionStore) Tx(ctx context.Context, svc string, fn func(helpdesk.Repos) error) error {
	return s.Store.Tx(ctx, svc, func(r helpdesk.Repos) error { return fn(sameVersionRepos{r}) })
}

type sameVersionRepos struct{ helpdesk.Repos }

func (r sameVersionRepos) Templates() template.Repository {
	return sameVersionTemplates{r.Repos.Templates()}
}

type sameVersionTemplates struct{ template.Repository }

func (r sameVersionTemplates) Words(ctx context.Context, known string) (template.WordList, error) {
	l, err := r.Repository.Words(ctx, "")
	if l.Version != "" {
		l.Version = "v1"
	}
	if l.Version == known {
		l.Words = nil
	}
	return l, err
}

func TestPreviewReply_TKT3_PermissionsAndInput(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tk := f.ticket(t)
	_, err := f.admin.Tickets().PreviewReply(ctx, tk.ID, "")
	assert.Equal(t, []string{"body"}, problems(t, err))
	_, err = f.other.As(helpdesk.AgentID(f.foreignAgentID)).Tickets().PreviewReply(ctx, tk.ID, "hi")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
	noTickets, err := f.sys.Agents().Create(ctx, agent.New{Name: "Plain", Email: "plain@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{}})
	require.NoError(t, err)
	_, err = f.acme.As(helpdesk.AgentID(noTickets.ID)).Tickets().PreviewReply(ctx, tk.ID, "hi")
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a preview needs ticket work")
	_, err = f.acme.As(helpdesk.AgentID(noTickets.ID)).Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: "x"})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a template preview too")
	_, err = f.acme.As(helpdesk.AgentID(noTickets.ID)).Templates().ForTicket(ctx, tk.ID)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "templates for a ticket need ticket reading")
	_, err = f.acme.As(helpdesk.AgentID(noTickets.ID)).Templates().List(ctx)
	assert.NoError(t, err, "the template list is for every agent")

	long, err := f.admin.Templates().Create(ctx, template.New{Title: "Long", Code: "long",
		Content: strings.Repeat("#{content}", 2000)}) // small, but huge once rendered
	require.NoError(t, err)
	require.NoError(t, f.store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		cur, err := r.Tickets().Get(ctx, tk.ID)
		require.NoError(t, err)
		cur.Content = strings.Repeat("x", 1000)
		return r.Tickets().Update(ctx, &cur, nil)
	}))
	_, err = f.agent.Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: long.ID})
	assert.Equal(t, []string{"body"}, problems(t, err), "the rendered reply is held to the content limit")
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: long.ID})
	assert.Equal(t, []string{"body"}, problems(t, err))
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: long.ID, Additions: strings.Repeat("x", 1<<20+1)})
	assert.Equal(t, []string{"additions"}, problems(t, err), "the additions alone over the limit, before anything is read")
	assert.Empty(t, tplComments(t, f, tk.ID))
}

func TestForbiddenWords_FWD1_ListLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ws := make([]string, template.MaxWords)
	for i := range ws {
		ws[i] = "w" + strconv.Itoa(i)
	}
	_, err := f.admin.ForbiddenWords().Add(ctx, ws...)
	require.NoError(t, err)
	_, err = f.admin.ForbiddenWords().Add(ctx, "one more")
	assert.Equal(t, []string{"words"}, problems(t, err))
	_, err = f.agent.Tickets().PreviewReply(ctx, f.ticket(t).ID, "w99999 w100000")
	var fe *helpdesk.ForbiddenWordsError
	require.ErrorAs(t, err, &fe, "a full list is matched")
	assert.Equal(t, []string{"w9", "w99", "w999", "w9999", "w99999", "w1", "w10", "w100", "w1000", "w10000"}, fe.Words(),
		"every word found, overlapping ones too, by position")
}

// Internal notes are for agents only: the forbidden-word check (a customer-facing rule, FWD-2) does not apply.
func TestReply_FWD2_InternalNotesNotChecked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.ForbiddenWords().Add(ctx, "refund")
	require.NoError(t, err)
	tk := f.ticket(t)
	c, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "no refund for Lee", Internal: true})
	require.NoError(t, err)
	assert.Equal(t, "no refund for Lee", c.Body)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "no REFUND"})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
}

// TPL-4: a #{field.KEY} code naming no field of the service is refused
// when the template is saved.
func TestTemplate_TPL4_UnknownFieldCodeRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sp := template.New{Title: "Order", Content: "Your order #{field.order_no} ships today.", Code: "ship"}
	_, err := f.admin.Templates().Create(ctx, sp)
	assert.Equal(t, []string{"content"}, problems(t, err))
	_, err = f.admin.Fields().Create(ctx, field.New{Key: "order_no", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "주문 번호"}})
	require.NoError(t, err)
	_, err = f.admin.Templates().Create(ctx, sp)
	require.NoError(t, err)
}

// TPL-2: deleting a category removes its links and its subtree's; the
// templates stay, with their other links.
func TestTemplates_TPL2_CategoryDeletionUnlinks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mk := func(parent, name string) category.Category {
		c, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Processing, ParentID: parent, Name: i18n.Text{"ko": name}})
		require.NoError(t, err)
		return c
	}
	p1 := mk("", "환불")
	p1c := mk(p1.ID, "카드 환불")
	p2 := mk("", "배송")
	a, err := f.admin.Templates().Create(ctx, template.New{Title: "A", Content: "a", Code: "a", CategoryIDs: []string{p1.ID, p1c.ID, p2.ID}})
	require.NoError(t, err)
	b, err := f.admin.Templates().Create(ctx, template.New{Title: "B", Content: "b", Code: "b", CategoryIDs: []string{p1c.ID}})
	require.NoError(t, err)

	_, err = f.admin.Categories().Delete(ctx, p1.ID)
	require.NoError(t, err)
	got, err := f.admin.Templates().Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{p2.ID}, got.CategoryIDs)
	assert.Equal(t, a.UpdatedAt, got.UpdatedAt, "links aside")
	got, err = f.admin.Templates().Get(ctx, b.ID)
	require.NoError(t, err)
	assert.Nil(t, got.CategoryIDs)
	for _, id := range []string{p1.ID, p1c.ID} {
		in, err := f.admin.Templates().InCategory(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, in)
	}
}

func TestForbiddenWords_FWD1_DuplicateInOneAdd(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.ForbiddenWords().Add(ctx, "scam", "fraud", "ＳＣＡＭ")
	var dup *template.DuplicateWordError
	require.ErrorAs(t, err, &dup, "a word given twice in one add")
	assert.Equal(t, "ＳＣＡＭ", dup.Word)
	list, err := f.admin.ForbiddenWords().List(ctx)
	require.NoError(t, err)
	assert.Empty(t, list, "all or none")
}

// A duplicate that only the store's unique key catches (a writer the lock
// did not hold back) is still the typed error (TPL-1, FWD-1).
func TestTemplates_TPL1_FWD1_StoreConflictIsTheDuplicateError(t *testing.T) {
	ctx := context.Background()
	var conflicts atomic.Bool
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.Store = conflictStore{c.Store, &conflicts} })
	tp, err := f.admin.Templates().Create(ctx, template.New{Title: "t", Content: "c", Code: "hello"})
	require.NoError(t, err)
	ws, err := f.admin.ForbiddenWords().Add(ctx, "scam")
	require.NoError(t, err)

	conflicts.Store(true)
	var dupCode *template.DuplicateCodeError
	_, err = f.admin.Templates().Create(ctx, template.New{Title: "t", Content: "c", Code: "raced"})
	require.ErrorAs(t, err, &dupCode)
	assert.Equal(t, "raced", dupCode.Code)
	_, err = f.admin.Templates().Update(ctx, tp.ID, template.New{Title: "t", Content: "c", Code: "raced"})
	require.ErrorAs(t, err, &dupCode)
	var dupWord *template.DuplicateWordError
	_, err = f.admin.ForbiddenWords().Add(ctx, "raced")
	require.ErrorAs(t, err, &dupWord)
	assert.Equal(t, "raced", dupWord.Word)
	require.ErrorAs(t, f.admin.ForbiddenWords().Update(ctx, ws[0].ID, "raced"), &dupWord)
}

// conflictStore's template writes fail with ErrConflict while on is set.
type conflictStore struct {
	helpdesk.Store
	on *atomic.Bool
}

func (s conflictStore) Tx(ctx context.Context, svc string, fn func(helpdesk.Repos) error) error {
	return s.Store.Tx(ctx, svc, func(r helpdesk.Repos) error { return fn(conflictRepos{r, s.on}) })
}

type conflictRepos struct {
	helpdesk.Repos
	on *atomic.Bool
}

func (r conflictRepos) Templates() template.Repository {
	return conflictTemplates{r.Repos.Templates(), r.on}
}

type conflictTemplates struct {
	template.Repository
	on *atomic.Bool
}

func (r conflictTemplates) conflict(write func() error) error {
	if r.on.Load() {
		return fmt.Errorf("unique key: %w", helpdesk.ErrConflict)
	}
	return write()
}

func (r conflictTemplates) Insert(ctx context.Context, t template.Template) error {
	return r.conflict(func() error { return r.Repository.Insert(ctx, t) })
}

func (r conflictTemplates) Save(ctx context.Context, t template.Template) error {
	return r.conflict(func() error { return r.Repository.Save(ctx, t) })
}

func (r conflictTemplates) InsertWords(ctx context.Context, ws []template.ForbiddenWord) error {
	return r.conflict(func() error { return r.Repository.InsertWords(ctx, ws) })
}

func (r conflictTemplates) SaveWord(ctx context.Context, w template.ForbiddenWord) error {
	return r.conflict(func() error { return r.Repository.SaveWord(ctx, w) })
}
