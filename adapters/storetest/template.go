package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/template"
)

// testTemplateRepository holds the conformance cases of
// template.Repository: rows and links stored and read back as given, the
// unique keys (id, code key, folded word) as ErrConflict, Find following
// template.Query.Matches, the forbidden-word list's version, tenant
// isolation (SVC-1), rollback and aliasing. The rules (TPL-1 unique codes,
// FWD-1 unique words and the list limit, TPL-2 link targets) are the
// domain's: template's unit tests and the helpdesk workflow tests.
func testTemplateRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Lock", func(t *testing.T) {
		t.Run("held until the transaction ends", func(t *testing.T) {
			t.Parallel()
			tplLockHeld(t, s)
		})
		t.Run("taken twice", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a")
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Templates().Lock(ctx))
				require.NoError(t, r.Templates().Lock(ctx))
				return r.Templates().Insert(ctx, a)
			})
			assert.Equal(t, []string{a.ID}, tplIDs(tplFind(t, s, svc, template.Query{})))
		})
	})

	t.Run("Insert", func(t *testing.T) {
		t.Run("stores the row and its links", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("refund", "환불 안내", "#{customerName}님, 환불은 3일 안에 됩니다.", "p2", "p1", "p2")
			b := mkTemplate("Delivery", "Delivery delay", "Sorry, #{title} is late.")
			tplInsert(t, s, svc, a, b)
			want := a
			want.CategoryIDs = []string{"p1", "p2"}
			assert.Equal(t, want, tplGet(t, s, svc, a.ID), "links ascending, once each")
			assert.Equal(t, b, tplGet(t, s, svc, b.ID), "no links: nil")
		})
		t.Run("taken id is ErrConflict", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a")
			tplInsert(t, s, svc, a)
			again := mkTemplate("other", "B", "b")
			again.ID = a.ID
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.Insert(ctx, again) }), helpdesk.ErrConflict)
			assert.Equal(t, a, tplGet(t, s, svc, a.ID))
		})
		t.Run("taken code key is ErrConflict", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("Hello", "Greeting", "Hi")
			tplInsert(t, s, svc, a)
			for _, code := range []string{"Hello", "HELLO", "ｈｅｌｌｏ"} { // template.CodeKey folds case and width
				err := tplTx(s, svc, func(tr template.Repository) error { return tr.Insert(ctx, mkTemplate(code, "dup", "dup", "p1")) })
				assert.ErrorIs(t, err, helpdesk.ErrConflict, code)
			}
			assert.Equal(t, []template.Template{a}, tplFind(t, s, svc, template.Query{}), "nothing of the refused writes stayed")
		})
		t.Run("unknown service is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			err := tplTx(s, "no-such-"+newID(), func(tr template.Repository) error { return tr.Insert(ctx, mkTemplate("a", "A", "a")) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.Insert(ctx, mkTemplate("a", "A", "a", "p1")) })
			assert.Empty(t, tplFind(t, s, svc, template.Query{}))
			tplInsert(t, s, svc, mkTemplate("a", "A", "a")) // the code is free
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1", "p2")
			want := a.Clone()
			tplInsert(t, s, svc, a)
			a.CategoryIDs[0] = "changed"
			assert.Equal(t, want, tplGet(t, s, svc, a.ID), "the value passed in is not kept")
		})
	})

	t.Run("Get", func(t *testing.T) {
		t.Run("unknown id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			err := tplTx(s, svc, func(tr template.Repository) error { _, err := tr.Get(ctx, newID()); return err })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("another service's id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1")
			tplInsert(t, s, svc, a)
			err := tplTx(s, other, func(tr template.Repository) error { _, err := tr.Get(ctx, a.ID); return err })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1", "p2")
			tplInsert(t, s, svc, a)
			got := tplGet(t, s, svc, a.ID)
			got.CategoryIDs[0] = "changed"
			assert.Equal(t, a, tplGet(t, s, svc, a.ID), "the value read is a copy")
		})
	})

	t.Run("Find", func(t *testing.T) {
		t.Run("follows Query.Matches", func(t *testing.T) {
			t.Parallel()
			tplFindMatches(t, s)
		})
		t.Run("ordered by Compare", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ts := []template.Template{mkTemplate("b", "B", "b"), mkTemplate("ＡＢ", "AB", "ab"), mkTemplate("a", "A", "a"),
				mkTemplate("C", "C", "c"), mkTemplate("a-b", "A-B", "ab")}
			tplInsert(t, s, svc, ts...)
			assert.Equal(t, []string{"a", "a-b", "ＡＢ", "b", "C"}, tplCodes(tplFind(t, s, svc, template.Query{})))
		})
		t.Run("limit", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			for _, code := range []string{"c", "a", "b"} {
				tplInsert(t, s, svc, mkTemplate(code, code, code))
			}
			assert.Equal(t, []string{"a", "b"}, tplCodes(tplFind(t, s, svc, template.Query{Limit: 2})))
			assert.Equal(t, []string{"a", "b", "c"}, tplCodes(tplFind(t, s, svc, template.Query{})), "0 is no bound")
		})
		t.Run("another service's templates are not seen", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			tplInsert(t, s, svc, mkTemplate("hello", "Hi", "hi", "p1"))
			for _, q := range []template.Query{{}, {CodePrefix: "hel"}, {CategoryID: "p1"}, {Words: "hi"}} {
				assert.Empty(t, tplFind(t, s, other, q), "%+v", q)
			}
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1")
			tplInsert(t, s, svc, a)
			got := tplFind(t, s, svc, template.Query{})
			got[0].CategoryIDs[0] = "changed"
			assert.Equal(t, []template.Template{a}, tplFind(t, s, svc, template.Query{CategoryID: "p1"}))
		})
	})

	t.Run("Save", func(t *testing.T) {
		t.Run("stores every field and replaces the links", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("refund", "환불", "환불 안내", "p1", "p2")
			tplInsert(t, s, svc, a)
			upd := a
			upd.Title, upd.Content, upd.Code = "환불 (수정)", "#{agentName} 드림", "Refund-2"
			upd.CategoryIDs = []string{"p3", "p2"}
			upd.CreatedAt, upd.UpdatedAt = tplAt(0), tplAt(2)
			tplSave(t, s, svc, upd)
			want := upd
			want.CategoryIDs = []string{"p2", "p3"}
			assert.Equal(t, want, tplGet(t, s, svc, a.ID))
			assert.Empty(t, tplFind(t, s, svc, template.Query{CategoryID: "p1"}), "the dropped link is gone")
			assert.Equal(t, []string{a.ID}, tplIDs(tplFind(t, s, svc, template.Query{CodePrefix: "refund-", Words: "드림"})),
				"found under its new code and text")
			assert.Empty(t, tplFind(t, s, svc, template.Query{Words: "안내"}), "not under its old text")

			upd.CategoryIDs = nil
			tplSave(t, s, svc, upd)
			assert.Nil(t, tplGet(t, s, svc, a.ID).CategoryIDs, "no links left")
		})
		t.Run("unknown id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			err := tplTx(s, svc, func(tr template.Repository) error { return tr.Save(ctx, mkTemplate("ghost", "G", "g", "p1")) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Empty(t, tplFind(t, s, svc, template.Query{}), "nothing made")
		})
		t.Run("another service's id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1")
			tplInsert(t, s, svc, a)
			hijack := a
			hijack.Title, hijack.CategoryIDs = "hijack", []string{"p9"}
			assert.ErrorIs(t, tplTx(s, other, func(tr template.Repository) error { return tr.Save(ctx, hijack) }), helpdesk.ErrNotFound, "SVC-1")
			assert.Equal(t, a, tplGet(t, s, svc, a.ID))
		})
		t.Run("another template's code key is ErrConflict", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a, b := mkTemplate("Hello", "A", "a"), mkTemplate("bye", "B", "b", "p1")
			tplInsert(t, s, svc, a, b)
			mv := b
			mv.Code, mv.CategoryIDs = "HeLLo", nil
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.Save(ctx, mv) }), helpdesk.ErrConflict)
			assert.Equal(t, b, tplGet(t, s, svc, b.ID), "nothing of the refused write stayed")
			own := a
			own.Code = "HELLO" // its own code key
			tplSave(t, s, svc, own)
			assert.Equal(t, own, tplGet(t, s, svc, a.ID))
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1")
			tplInsert(t, s, svc, a)
			upd := a
			upd.Title, upd.Code, upd.CategoryIDs = "changed", "changed", []string{"p2"}
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.Save(ctx, upd) })
			assert.Equal(t, a, tplGet(t, s, svc, a.ID))
			assert.Equal(t, []template.Template{a}, tplFind(t, s, svc, template.Query{CodePrefix: "a", CategoryID: "p1"}))
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a")
			tplInsert(t, s, svc, a)
			upd := a
			upd.CategoryIDs = []string{"p1", "p2"}
			want := upd.Clone()
			tplSave(t, s, svc, upd)
			upd.CategoryIDs[0] = "changed"
			assert.Equal(t, want, tplGet(t, s, svc, a.ID))
		})
	})

	t.Run("Delete", func(t *testing.T) {
		t.Run("removes the row and its links", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a, b := mkTemplate("a", "A", "a", "p1"), mkTemplate("b", "B", "b", "p1")
			tplInsert(t, s, svc, a, b)
			require.NoError(t, tplTx(s, svc, func(tr template.Repository) error { return tr.Delete(ctx, a.ID) }))
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { _, err := tr.Get(ctx, a.ID); return err }), helpdesk.ErrNotFound)
			assert.Equal(t, []template.Template{b}, tplFind(t, s, svc, template.Query{CategoryID: "p1"}))
			again := mkTemplate("a", "A again", "a")
			again.ID = a.ID
			tplInsert(t, s, svc, again)
			assert.Equal(t, again, tplGet(t, s, svc, a.ID), "the code is free; no stale link comes back with the id")
		})
		t.Run("unknown id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			a := mkTemplate("a", "A", "a")
			tplInsert(t, s, svc, a)
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.Delete(ctx, newID()) }), helpdesk.ErrNotFound)
			assert.ErrorIs(t, tplTx(s, other, func(tr template.Repository) error { return tr.Delete(ctx, a.ID) }), helpdesk.ErrNotFound, "SVC-1")
			assert.Equal(t, a, tplGet(t, s, svc, a.ID))
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			a := mkTemplate("a", "A", "a", "p1")
			tplInsert(t, s, svc, a)
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.Delete(ctx, a.ID) })
			assert.Equal(t, []template.Template{a}, tplFind(t, s, svc, template.Query{CategoryID: "p1"}))
		})
	})

	t.Run("InsertWords", func(t *testing.T) {
		t.Run("adds the entries and gives a new version", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("바보", "Scam", "ｆｒａｕｄ")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			l := tplWords(t, s, svc)
			assert.Equal(t, []template.ForbiddenWord{ws[2], ws[1], ws[0]}, l.Words, "by folded word: fraud, scam, 바보")
			assert.NotEmpty(t, l.Version)
			more := tplNewWords("more")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, more) })
			assert.NotEqual(t, l.Version, tplWords(t, s, svc).Version)
		})
		t.Run("none is no change", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, nil) })
			assert.Equal(t, template.WordList{}, tplWords(t, s, svc))
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("a")) })
			before := tplWords(t, s, svc)
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, nil) })
			assert.Equal(t, before, tplWords(t, s, svc))
		})
		t.Run("taken folded word or id is ErrConflict, all or none", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("Scam", "fraud")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			before := tplWords(t, s, svc)
			takenID := tplNewWords("other")
			takenID[0].ID = ws[0].ID
			for name, batch := range map[string][]template.ForbiddenWord{
				"listed":       tplNewWords("new", "SCAM"),
				"listed wide":  tplNewWords("ｆｒａｕｄ"),
				"given twice":  tplNewWords("twice", "TWICE"),
				"id taken":     takenID,
				"id twice":     {{ID: ws[0].ID + "x", Word: "one", CreatedAt: tplAt(1)}, {ID: ws[0].ID + "x", Word: "two", CreatedAt: tplAt(1)}},
				"listed, last": tplNewWords("a", "b", "scam"),
			} {
				err := tplTx(s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, batch) })
				assert.ErrorIs(t, err, helpdesk.ErrConflict, name)
			}
			assert.Equal(t, before, tplWords(t, s, svc), "neither the words nor the version changed")
		})
		t.Run("another service's list is apart", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("scam")) })
			assert.Equal(t, template.WordList{}, tplWords(t, s, other), "SVC-1")
			tplDo(t, s, other, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("SCAM")) })
			assert.Equal(t, []string{"scam"}, tplWordsOf(tplWords(t, s, svc)))
		})
		t.Run("unknown service is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			err := tplTx(s, "no-such-"+newID(), func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("x")) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("ghost")) })
			assert.Equal(t, template.WordList{}, tplWords(t, s, svc))
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam")
			want := ws[0]
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			ws[0].Word = "changed"
			assert.Equal(t, []template.ForbiddenWord{want}, tplWords(t, s, svc).Words)
		})
	})

	t.Run("SaveWord", func(t *testing.T) {
		t.Run("stores the entry and gives a new version", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam", "fraud")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			seen := map[string]bool{"": true, tplWords(t, s, svc).Version: true}
			for _, spelling := range []string{"SCAMMER", "scammer"} { // a change of case is a change
				w := ws[0]
				w.Word, w.CreatedAt = spelling, tplAt(9)
				tplDo(t, s, svc, func(tr template.Repository) error { return tr.SaveWord(ctx, w) })
				l := tplWords(t, s, svc)
				assert.Equal(t, []template.ForbiddenWord{ws[1], w}, l.Words)
				assert.False(t, seen[l.Version], "a new version for %q", spelling)
				seen[l.Version] = true
			}
		})
		t.Run("unknown id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			w := ws[0]
			w.Word = "x"
			assert.ErrorIs(t, tplTx(s, other, func(tr template.Repository) error { return tr.SaveWord(ctx, w) }), helpdesk.ErrNotFound, "SVC-1")
			w.ID = newID()
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.SaveWord(ctx, w) }), helpdesk.ErrNotFound)
			assert.Equal(t, ws, tplWords(t, s, svc).Words)
			assert.Equal(t, template.WordList{}, tplWords(t, s, other), "nothing made")
		})
		t.Run("another entry's folded word is ErrConflict", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam", "fraud")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			before := tplWords(t, s, svc)
			w := ws[1]
			w.Word = "ＳＣＡＭ"
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.SaveWord(ctx, w) }), helpdesk.ErrConflict)
			assert.Equal(t, before, tplWords(t, s, svc))
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			before := tplWords(t, s, svc)
			w := ws[0]
			w.Word = "fraud"
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.SaveWord(ctx, w) })
			assert.Equal(t, before, tplWords(t, s, svc))
		})
	})

	t.Run("DeleteWord", func(t *testing.T) {
		t.Run("removes the entry and gives a new version", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam", "fraud")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			l1 := tplWords(t, s, svc)
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.DeleteWord(ctx, ws[0].ID) })
			l2 := tplWords(t, s, svc)
			assert.Equal(t, []template.ForbiddenWord{ws[1]}, l2.Words)
			assert.NotEqual(t, l1.Version, l2.Version)
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.DeleteWord(ctx, ws[1].ID) })
			l3 := tplWords(t, s, svc)
			assert.Empty(t, l3.Words)
			assert.NotContains(t, []string{"", l1.Version, l2.Version}, l3.Version, "an emptied list has a version of its own")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("SCAM")) })
			assert.Equal(t, []string{"SCAM"}, tplWordsOf(tplWords(t, s, svc)), "a deleted word may be listed again")
		})
		t.Run("unknown id is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := tplService(t, s), tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			before := tplWords(t, s, svc)
			assert.ErrorIs(t, tplTx(s, svc, func(tr template.Repository) error { return tr.DeleteWord(ctx, newID()) }), helpdesk.ErrNotFound)
			assert.ErrorIs(t, tplTx(s, other, func(tr template.Repository) error { return tr.DeleteWord(ctx, ws[0].ID) }), helpdesk.ErrNotFound, "SVC-1")
			assert.Equal(t, before, tplWords(t, s, svc))
		})
		t.Run("rolled back", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			before := tplWords(t, s, svc)
			tplRolledBack(t, s, svc, func(tr template.Repository) error { return tr.DeleteWord(ctx, ws[0].ID) })
			assert.Equal(t, before, tplWords(t, s, svc))
		})
	})

	t.Run("Words", func(t *testing.T) {
		t.Run("a list never changed is empty with version \"\"", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			assert.Equal(t, template.WordList{}, tplWords(t, s, svc))
			assert.Equal(t, template.WordList{}, tplWordsKnown(t, s, svc, "v"))
		})
		t.Run("a known version leaves the words out", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			l := tplWords(t, s, svc)
			assert.Equal(t, template.WordList{Version: l.Version}, tplWordsKnown(t, s, svc, l.Version))
			assert.Equal(t, l, tplWordsKnown(t, s, svc, "another version"))
		})
		t.Run("a version seen in a rolled-back transaction is not handed out again", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			var inside []string
			tplRolledBack(t, s, svc, func(tr template.Repository) error {
				require.NoError(t, tr.InsertWords(ctx, tplNewWords("ghost")))
				l, err := tr.Words(ctx, "")
				require.NoError(t, err)
				inside = append(inside, l.Version)
				return nil
			})
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, tplNewWords("ghost")) })
			assert.NotContains(t, inside, tplWords(t, s, svc).Version)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := tplService(t, s)
			ws := tplNewWords("scam")
			tplDo(t, s, svc, func(tr template.Repository) error { return tr.InsertWords(ctx, ws) })
			l := tplWords(t, s, svc)
			l.Words[0].Word = "changed"
			assert.Equal(t, ws, tplWords(t, s, svc).Words)
		})
	})
}

// tplService makes a service of its own for one case.
func tplService(t *testing.T, s helpdesk.Store) string {
	t.Helper()
	svc := "tpl-" + newID()
	mkService(t, s, svc)
	return svc
}

// tplAt is the time of the i-th write of a template test.
func tplAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 3*time.Microsecond) }

func mkTemplate(code, title, content string, categoryIDs ...string) template.Template {
	return template.Template{ID: newID(), Code: code, Title: title, Content: content, CategoryIDs: categoryIDs,
		CreatedAt: tplAt(1), UpdatedAt: tplAt(1)}
}

func tplNewWords(words ...string) []template.ForbiddenWord {
	ws := make([]template.ForbiddenWord, len(words))
	for i, w := range words {
		ws[i] = template.ForbiddenWord{ID: newID(), Word: w, CreatedAt: tplAt(i)}
	}
	return ws
}

// tplTx runs fn on the template repository of svc in a transaction.
func tplTx(s helpdesk.Store, svc string, fn func(template.Repository) error) error {
	return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return fn(r.Templates()) })
}

// tplDo runs fn like tplTx and fails the test on error.
func tplDo(t *testing.T, s helpdesk.Store, svc string, fn func(template.Repository) error) {
	t.Helper()
	require.NoError(t, tplTx(s, svc, fn))
}

// tplRolledBack runs fn in a transaction that then fails.
func tplRolledBack(t *testing.T, s helpdesk.Store, svc string, fn func(template.Repository) error) {
	t.Helper()
	err := tplTx(s, svc, func(tr template.Repository) error {
		require.NoError(t, fn(tr))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
}

// tplInsert stores templates in one transaction.
func tplInsert(t *testing.T, s helpdesk.Store, svc string, ts ...template.Template) {
	t.Helper()
	tplDo(t, s, svc, func(tr template.Repository) error {
		for _, tp := range ts {
			if err := tr.Insert(context.Background(), tp); err != nil {
				return err
			}
		}
		return nil
	})
}

func tplSave(t *testing.T, s helpdesk.Store, svc string, tp template.Template) {
	t.Helper()
	tplDo(t, s, svc, func(tr template.Repository) error { return tr.Save(context.Background(), tp) })
}

func tplGet(t *testing.T, s helpdesk.Store, svc, id string) template.Template {
	t.Helper()
	var out template.Template
	tplDo(t, s, svc, func(tr template.Repository) (err error) {
		out, err = tr.Get(context.Background(), id)
		return err
	})
	return out
}

func tplFind(t *testing.T, s helpdesk.Store, svc string, q template.Query) []template.Template {
	t.Helper()
	var out []template.Template
	tplDo(t, s, svc, func(tr template.Repository) (err error) {
		out, err = tr.Find(context.Background(), q)
		return err
	})
	return out
}

func tplWords(t *testing.T, s helpdesk.Store, svc string) template.WordList {
	t.Helper()
	return tplWordsKnown(t, s, svc, "")
}

func tplWordsKnown(t *testing.T, s helpdesk.Store, svc, known string) template.WordList {
	t.Helper()
	var l template.WordList
	tplDo(t, s, svc, func(tr template.Repository) (err error) {
		l, err = tr.Words(context.Background(), known)
		return err
	})
	return l
}

func tplIDs(ts []template.Template) []string {
	ids := []string{}
	for _, tp := range ts {
		ids = append(ids, tp.ID)
	}
	return ids
}

func tplCodes(ts []template.Template) []string {
	out := []string{}
	for _, tp := range ts {
		out = append(out, tp.Code)
	}
	return out
}

func tplWordsOf(l template.WordList) []string {
	out := []string{}
	for _, w := range l.Words {
		out = append(out, w.Word)
	}
	return out
}

// tplLockHeld: a second transaction's Lock waits for the first one's end.
func tplLockHeld(t *testing.T, s helpdesk.Store) {
	svc := tplService(t, s)
	locked, release, second := make(chan struct{}), make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- tplTx(s, svc, func(tr template.Repository) error {
			if err := tr.Lock(context.Background()); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	done := make(chan error, 1)
	go func() {
		done <- tplTx(s, svc, func(tr template.Repository) error {
			err := tr.Lock(context.Background())
			close(second)
			return err
		})
	}()
	select {
	case <-second:
		t.Fatal("the second Lock did not wait for the first transaction")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-first)
	require.NoError(t, <-done)
	_, ok := <-second
	assert.False(t, ok, "the second Lock returned once the first transaction ended")
}

// tplFindMatches checks Find against Query.Matches over every template, on
// queries that exercise each clause (TPL-3).
func tplFindMatches(t *testing.T, s helpdesk.Store) {
	svc := tplService(t, s)
	all := []template.Template{
		mkTemplate("refund", "환불 안내", "고객님, 환불은 3일 안에 처리됩니다.", "p1"),
		mkTemplate("refund-card", "Card refund", "The card company cancels the payment.", "p1", "p2"),
		mkTemplate("REF_X", "Reference", "100% done", "p2"),
		mkTemplate("delivery", "배송 지연", "택배사 사정으로 DELIVERY가 늦어지고 있습니다."),
		mkTemplate("ｄｅｌａｙ", "Delay", "Ｆｕｌｌ-width text"),
		mkTemplate("re%", "Percent", "literal wildcard in the code"),
		mkTemplate(`re\x`, "Backslash", `a \ in the code`),
	}
	tplInsert(t, s, svc, all...)
	sorted := tplFind(t, s, svc, template.Query{})
	require.Len(t, sorted, len(all))
	for _, q := range []template.Query{
		{CodePrefix: "ref"},
		{CodePrefix: "REF"},
		{CodePrefix: "ｒｅｆ"},
		{CodePrefix: "refund-"},
		{CodePrefix: "ref_"}, // _ is no wildcard
		{CodePrefix: "re%"},  // % is no wildcard
		{CodePrefix: `re\`},  // nor is \ an escape
		{CodePrefix: "de"},
		{CodePrefix: "nope"},
		{Words: "환불"},
		{Words: "REFUND card"},
		{Words: "  card   refund  "},
		{Words: "delivery"},
		{Words: "full-width"},
		{Words: "100%"},
		{Words: "환불 card"}, // both words must occur
		{Words: "안내\n고객님"},
		{CategoryID: "p1"},
		{CategoryID: "p2", Words: "card"},
		{CodePrefix: "ref", CategoryID: "p2"},
		{Limit: 2},
		{CodePrefix: "re", Limit: 1},
	} {
		want := []string{}
		for _, tp := range sorted {
			if (q.Limit == 0 || len(want) < q.Limit) && q.Matches(tp, q.Terms()) {
				want = append(want, tp.ID)
			}
		}
		assert.Equal(t, want, tplIDs(tplFind(t, s, svc, q)), "query %+v", q)
	}
	// spot checks that Matches is not trivially empty
	assert.Equal(t, []string{"REF_X", "refund", "refund-card"}, tplCodes(tplFind(t, s, svc, template.Query{CodePrefix: "REF"})))
	assert.Equal(t, []string{"ｄｅｌａｙ"}, tplCodes(tplFind(t, s, svc, template.Query{Words: "full-width"})))
}
