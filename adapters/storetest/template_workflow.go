package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/template"
)

// The template workflow stories run the template and forbidden-word
// workflows of package helpdesk on the store under test: the rules
// (TPL-1..3, FWD-1..2) come from the domain, after the repository's Lock,
// so concurrent writers get the typed errors on every store.

// tplDesk is a desk on the store under test with a service of its own and
// its admin.
type tplDesk struct {
	desk       *helpdesk.Desk
	svc        string
	sys, admin *helpdesk.Session
}

func newTplDesk(t *testing.T, s helpdesk.Store) *tplDesk {
	t.Helper()
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	w := &tplDesk{desk: d, svc: "tw-" + newID()}
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: w.svc, Settings: cfg(w.svc).Settings})
	require.NoError(t, err)
	w.sys = d.Service(w.svc).As(helpdesk.System)
	adm, err := w.sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
	require.NoError(t, err)
	w.admin = d.Service(w.svc).As(helpdesk.AgentID(adm.ID))
	return w
}

// refused reports whether a reply with body to ticket id is refused for
// forbidden words.
func (w *tplDesk) refused(t *testing.T, id, body string) bool {
	t.Helper()
	_, err := w.admin.Tickets().PreviewReply(context.Background(), id, body)
	var fe *helpdesk.ForbiddenWordsError
	if err != nil && !errors.As(err, &fe) {
		require.NoError(t, err)
	}
	return fe != nil
}

func testTemplateWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("TPL1_DuplicateCode", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		a, err := w.admin.Templates().Create(ctx, template.New{Title: "Refund", Content: "Refunds take 3 days.", Code: "refund"})
		require.NoError(t, err)
		b, err := w.admin.Templates().Create(ctx, template.New{Title: "Delivery", Content: "It ships today.", Code: "delivery"})
		require.NoError(t, err)
		var dup *template.DuplicateCodeError
		_, err = w.admin.Templates().Create(ctx, template.New{Title: "x", Content: "x", Code: "ＲＥＦＵＮＤ"})
		require.ErrorAs(t, err, &dup)
		assert.Equal(t, "ＲＥＦＵＮＤ", dup.Code)
		_, err = w.admin.Templates().Update(ctx, b.ID, template.New{Title: "x", Content: "x", Code: "Refund"})
		require.ErrorAs(t, err, &dup)
		assert.ErrorIs(t, err, helpdesk.ErrConflict)
		upd, err := w.admin.Templates().Update(ctx, a.ID, template.New{Title: "Refund", Content: "Refunds take 3 days.", Code: "REFUND"})
		require.NoError(t, err, "its own code in another case")
		assert.Equal(t, "REFUND", upd.Code)
		require.NoError(t, w.admin.Templates().Delete(ctx, a.ID))
		_, err = w.admin.Templates().Create(ctx, template.New{Title: "again", Content: "x", Code: "refund"})
		require.NoError(t, err, "a deleted template's code is free")
		l, err := w.admin.Templates().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"delivery", "refund"}, tplCodes(l), "the refused writes left nothing")
	})

	t.Run("TPL1_ConcurrentCreatesOneCode", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		codes := []string{"hello", "HELLO", "Hello", "ｈｅｌｌｏ", "hELLO", "HeLLo"}
		errs := make([]error, len(codes))
		var wg sync.WaitGroup
		for i, code := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.admin.Templates().Create(ctx, template.New{Title: "Hi", Content: "Hi", Code: code})
			}()
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			var dup *template.DuplicateCodeError
			if err == nil {
				ok++
			} else {
				assert.ErrorAs(t, err, &dup, codes[i])
			}
		}
		assert.Equal(t, 1, ok, "exactly one create wins")
		l, err := w.admin.Templates().List(ctx)
		require.NoError(t, err)
		assert.Len(t, l, 1)
	})

	t.Run("TPL2_LinksAndCategoryDeletion", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		mk := func(parent string, name string) category.Category {
			c, err := w.admin.Categories().Create(ctx, category.New{Tree: category.Processing, ParentID: parent, Name: i18n.Text{"ko": name}})
			require.NoError(t, err)
			return c
		}
		p1 := mk("", "환불")
		p1c := mk(p1.ID, "카드 환불")
		p2 := mk("", "배송")
		a, err := w.admin.Templates().Create(ctx, template.New{Title: "A", Content: "a", Code: "a", CategoryIDs: []string{p1c.ID, p2.ID}})
		require.NoError(t, err)
		b, err := w.admin.Templates().Create(ctx, template.New{Title: "B", Content: "b", Code: "b"})
		require.NoError(t, err)
		require.NoError(t, w.admin.Templates().Link(ctx, b.ID, p1.ID))
		require.NoError(t, w.admin.Templates().Link(ctx, b.ID, p1.ID), "linking twice is no change")
		require.NoError(t, w.admin.Templates().Link(ctx, b.ID, p1c.ID))
		require.NoError(t, w.admin.Templates().Unlink(ctx, b.ID, p2.ID), "unlinking what is not linked is no change")
		in := func(cat string) []string {
			l, err := w.admin.Templates().InCategory(ctx, cat)
			require.NoError(t, err)
			return tplIDs(l)
		}
		assert.Equal(t, []string{a.ID, b.ID}, in(p1c.ID))

		n := twNew("where is my refund")
		n.ProcessingCategoryID = p2.ID
		tk, err := w.sys.Tickets().Create(ctx, n)
		require.NoError(t, err)
		offered, err := w.admin.Templates().ForTicket(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{a.ID}, tplIDs(offered))

		_, err = w.admin.Categories().Delete(ctx, p1.ID) // and p1c below it
		require.NoError(t, err)
		assert.Empty(t, in(p1.ID))
		assert.Empty(t, in(p1c.ID))
		got, err := w.admin.Templates().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{p2.ID}, got.CategoryIDs, "only the deleted categories' links went")
		got, err = w.admin.Templates().Get(ctx, b.ID)
		require.NoError(t, err)
		assert.Nil(t, got.CategoryIDs)
		assert.Equal(t, []string{"category_id"}, problemFields(t, w.admin.Templates().Link(ctx, b.ID, p1.ID)), "a deleted category takes no links")

		require.NoError(t, w.admin.Templates().Unlink(ctx, a.ID, p2.ID))
		offered, err = w.admin.Templates().ForTicket(ctx, tk.ID)
		require.NoError(t, err)
		assert.Empty(t, offered)
	})

	t.Run("TPL3_Search", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		for _, sp := range []template.New{
			{Title: "카드 환불", Content: "카드사 취소", Code: "refund-card"},
			{Title: "Refund by bank", Content: "Bank transfer", Code: "refund-bank"},
			{Title: "Delay", Content: "It is late", Code: "delay"},
		} {
			_, err := w.admin.Templates().Create(ctx, sp)
			require.NoError(t, err)
		}
		found, err := w.admin.Templates().Search(ctx, template.Query{CodePrefix: "REFUND-"})
		require.NoError(t, err)
		assert.Equal(t, []string{"refund-bank", "refund-card"}, tplCodes(found))
		found, err = w.admin.Templates().Search(ctx, template.Query{Words: "환불 카드"})
		require.NoError(t, err)
		assert.Equal(t, []string{"refund-card"}, tplCodes(found))
		found, err = w.admin.Templates().Search(ctx, template.Query{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"delay"}, tplCodes(found))
	})

	t.Run("FWD1_FWD2_WordsAndReplies", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		tk, err := w.sys.Tickets().Create(ctx, twNew("hello"))
		require.NoError(t, err)
		assert.False(t, w.refused(t, tk.ID, "a scam"), "no list, no refusal")
		ws, err := w.admin.ForbiddenWords().Add(ctx, " scam ", "fraud")
		require.NoError(t, err)
		var dup *template.DuplicateWordError
		_, err = w.admin.ForbiddenWords().Add(ctx, "new", "ＳＣＡＭ")
		require.ErrorAs(t, err, &dup)
		assert.Equal(t, "ＳＣＡＭ", dup.Word)
		_, err = w.admin.ForbiddenWords().Add(ctx, "twice", "TWICE")
		require.ErrorAs(t, err, &dup, "a word given twice")
		assert.Equal(t, "TWICE", dup.Word)
		require.ErrorAs(t, w.admin.ForbiddenWords().Update(ctx, ws[0].ID, "FRAUD"), &dup)
		list, err := w.admin.ForbiddenWords().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []template.ForbiddenWord{ws[1], ws[0]}, list, "the refused writes wrote nothing")

		assert.True(t, w.refused(t, tk.ID, "a SCAM"))
		require.NoError(t, w.admin.ForbiddenWords().Update(ctx, ws[0].ID, "scar"))
		assert.False(t, w.refused(t, tk.ID, "a SCAM"), "the old word is gone from the cached matcher")
		assert.True(t, w.refused(t, tk.ID, "a scar"))
		require.NoError(t, w.admin.ForbiddenWords().Update(ctx, ws[0].ID, "SCAR"), "its own word in another case")
		require.ErrorIs(t, w.admin.ForbiddenWords().Update(ctx, newID(), "x"), helpdesk.ErrNotFound)
		require.NoError(t, w.admin.ForbiddenWords().Delete(ctx, ws[0].ID))
		require.NoError(t, w.admin.ForbiddenWords().Delete(ctx, ws[1].ID))
		assert.False(t, w.refused(t, tk.ID, "a scar fraud"), "an emptied list refuses nothing")
		require.ErrorIs(t, w.admin.ForbiddenWords().Delete(ctx, ws[1].ID), helpdesk.ErrNotFound)
	})

	t.Run("FWD1_ConcurrentAddsOneWord", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		words := []string{"scam", "SCAM", "Scam", "ｓｃａｍ", "sCAM", "ScAm"}
		errs := make([]error, len(words))
		var wg sync.WaitGroup
		for i, word := range words {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.admin.ForbiddenWords().Add(ctx, fmt.Sprintf("w%d", i), word)
			}()
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			var dup *template.DuplicateWordError
			if err == nil {
				ok++
			} else if assert.ErrorAs(t, err, &dup, words[i]) {
				assert.Equal(t, words[i], dup.Word, "found by the check under the lock, which names the word")
			}
		}
		assert.Equal(t, 1, ok, "exactly one add wins")
		list, err := w.admin.ForbiddenWords().List(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 2, "the winner's two words, no other")
	})

	// TKT-3, TPL-4: a template reply reads the template inside the reply's
	// transaction, so replies made while an admin rewrites the template
	// each carry one whole version of it, rendered for the ticket, with
	// the additions as written; forbidden words are checked on the result.
	t.Run("TKT3_ReplyWithTemplateWhileEdited", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		tk, err := w.sys.Tickets().Create(ctx, twNew("where is my refund"))
		require.NoError(t, err)
		tp, err := w.admin.Templates().Create(ctx, template.New{Title: "Refund", Content: "v0 for #{customerName}", Code: "refund"})
		require.NoError(t, err)
		const edits, replies = 6, 8
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 1; i <= edits; i++ {
				_, err := w.admin.Templates().Update(ctx, tp.ID, template.New{Title: "Refund", Content: fmt.Sprintf("v%d for #{customerName}", i), Code: "refund"})
				assert.NoError(t, err)
			}
		})
		for i := range replies {
			wg.Go(func() {
				_, err := w.admin.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID, Additions: fmt.Sprintf("#{%d}", i)})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		cs, err := w.admin.Tickets().Comments(ctx, tk.ID)
		require.NoError(t, err)
		require.Len(t, cs, replies)
		var seen []string
		for _, c := range cs {
			var v, n int
			_, err := fmt.Sscanf(c.Body, "v%d for Park\n\n#{%d}", &v, &n)
			assert.NoError(t, err, "one whole version, rendered, then the additions as written: %q", c.Body)
			assert.Equal(t, fmt.Sprintf("v%d for Park\n\n#{%d}", v, n), c.Body)
			seen = append(seen, fmt.Sprint(n))
		}
		assert.ElementsMatch(t, []string{"0", "1", "2", "3", "4", "5", "6", "7"}, seen)

		_, err = w.admin.ForbiddenWords().Add(ctx, "park")
		require.NoError(t, err)
		_, err = w.admin.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID})
		var fe *helpdesk.ForbiddenWordsError
		require.ErrorAs(t, err, &fe, "a word that came in through a code")
		assert.Equal(t, []string{"park"}, fe.Words())
		_, err = w.admin.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: newID()})
		assert.Equal(t, []string{"template_id"}, problemFields(t, err))
		cs, err = w.admin.Tickets().Comments(ctx, tk.ID)
		require.NoError(t, err)
		assert.Len(t, cs, replies, "nothing stored")
	})

	t.Run("FWD2_DesksOnOneStoreFollowEachOther", func(t *testing.T) {
		t.Parallel()
		w := newTplDesk(t, s)
		other, err := helpdesk.New(helpdesk.Config{Store: s}) // another process on the same store
		require.NoError(t, err)
		sys2 := other.Service(w.svc).As(helpdesk.System)
		tk, err := w.sys.Tickets().Create(ctx, twNew("hello"))
		require.NoError(t, err)
		preview := func(sys *helpdesk.Session, body string) error {
			_, err := sys.Tickets().PreviewReply(ctx, tk.ID, body)
			return err
		}
		ws, err := w.admin.ForbiddenWords().Add(ctx, "apple")
		require.NoError(t, err)
		assert.ErrorIs(t, preview(sys2, "an apple"), helpdesk.ErrInvalid, "the other desk builds its matcher")
		require.NoError(t, w.admin.ForbiddenWords().Update(ctx, ws[0].ID, "banana"))
		assert.NoError(t, preview(sys2, "an apple"), "and sees the change through the list's version")
		assert.ErrorIs(t, preview(sys2, "a banana"), helpdesk.ErrInvalid)
	})
}
