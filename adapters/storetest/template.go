package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/template"
)

// testTemplate holds the template conformance cases: reply templates with
// their unique search codes, category links and search (TPL-1..3), the
// forbidden-word list and its version (FWD-1), tenant isolation and
// rollback.
func testTemplate(t *testing.T, s helpdesk.Store) {
	cases := []struct {
		name string
		fn   func(*testing.T, helpdesk.Store, string)
	}{
		{"CRUD_TPL1", testTemplateCRUD},
		{"DuplicateCode_TPL1", testTemplateDuplicateCode},
		{"Links_TPL2", testTemplateLinks},
		{"Search_TPL3", testTemplateSearch},
		{"ForbiddenWords_FWD1", testForbiddenWords},
		{"TenantIsolation_SVC1", testTemplateIsolation},
		{"Rollback", testTemplateRollback},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := fmt.Sprintf("tpl%d", i)
			mkService(t, s, svc)
			c.fn(t, s, svc)
		})
	}
}

// tplAt is the time of the i-th write of a template test.
func tplAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 3*time.Microsecond) }

func mkTemplate(code, title, content string, categoryIDs ...string) template.Template {
	return template.Template{ID: newID(), Code: code, Title: title, Content: content, CategoryIDs: categoryIDs,
		CreatedAt: tplAt(1), UpdatedAt: tplAt(1)}
}

// tplCreate stores templates in one transaction.
func tplCreate(t *testing.T, s helpdesk.Store, svc string, ts ...template.Template) {
	t.Helper()
	tx(t, s, svc, func(r helpdesk.Repos) error {
		for _, tp := range ts {
			if err := r.Templates().Create(context.Background(), tp); err != nil {
				return err
			}
		}
		return nil
	})
}

func tplGet(s helpdesk.Store, svc, id string) (template.Template, error) {
	var out template.Template
	err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Templates().Get(context.Background(), id)
		return err
	})
	return out, err
}

func tplList(t *testing.T, s helpdesk.Store, svc string) []template.Template {
	t.Helper()
	var out []template.Template
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Templates().List(context.Background())
		return err
	})
	return out
}

func tplIDs(ts []template.Template) []string {
	ids := []string{}
	for _, tp := range ts {
		ids = append(ids, tp.ID)
	}
	return ids
}

func tplWordList(t *testing.T, s helpdesk.Store, svc string) template.WordList {
	t.Helper()
	var l template.WordList
	tx(t, s, svc, func(r helpdesk.Repos) error {
		var err error
		l, err = r.Templates().ForbiddenWords(context.Background())
		require.NoError(t, err)
		v, err := r.Templates().ForbiddenVersion(context.Background())
		require.NoError(t, err)
		assert.Equal(t, l.Version, v, "ForbiddenVersion is the version ForbiddenWords reads")
		return nil
	})
	return l
}

func tplWords(l template.WordList) []string {
	out := []string{}
	for _, w := range l.Words {
		out = append(out, w.Word)
	}
	return out
}

func testTemplateCRUD(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkTemplate("refund", "환불 안내", "#{customerName}님, 환불은 3일 안에 됩니다.", "p2", "p1", "p2")
	b := mkTemplate("Delivery", "Delivery delay", "Sorry, #{title} is late.")
	tplCreate(t, s, svc, a, b)

	got, err := tplGet(s, svc, a.ID)
	require.NoError(t, err)
	want := a
	want.CategoryIDs = []string{"p1", "p2"}
	assert.Equal(t, want, got, "links come back ascending, once each")
	got, err = tplGet(s, svc, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b, got, "no links: nil")
	assert.Equal(t, []string{b.ID, a.ID}, tplIDs(tplList(t, s, svc)), "by folded code: delivery < refund")

	upd := a
	upd.Title, upd.Content, upd.Code = "환불 안내 (수정)", "#{agentName} 드림", "Refund-2"
	upd.CategoryIDs = []string{"ignored"}
	upd.CreatedAt, upd.UpdatedAt = tplAt(50), tplAt(2)
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().Update(ctx, upd) })
	got, err = tplGet(s, svc, a.ID)
	require.NoError(t, err)
	want = upd
	want.CategoryIDs, want.CreatedAt = []string{"p1", "p2"}, a.CreatedAt
	assert.Equal(t, want, got, "Update keeps the links and the creation time")

	// values read back share no memory with the store
	got.CategoryIDs[0] = "changed"
	again, err := tplGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2"}, again.CategoryIDs)

	err = s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		ghost := mkTemplate("ghost", "t", "c")
		return r.Templates().Update(ctx, ghost)
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().Delete(ctx, a.ID) })
	_, err = tplGet(s, svc, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Templates().Delete(ctx, a.ID) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, []string{b.ID}, tplIDs(tplList(t, s, svc)))
	// the deleted template's code is free again
	tplCreate(t, s, svc, mkTemplate("refund-2", "t", "c"))
}

func testTemplateDuplicateCode(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkTemplate("Hello", "Greeting", "Hi")
	b := mkTemplate("bye", "Farewell", "Bye")
	tplCreate(t, s, svc, a, b)

	var dup *template.DuplicateCodeError
	var later template.Template
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		for _, code := range []string{"hello", "HELLO", "ｈｅｌｌｏ"} { // case- and width-insensitive
			err := r.Templates().Create(ctx, mkTemplate(code, "dup", "dup"))
			require.ErrorAs(t, err, &dup, code)
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
			assert.Equal(t, code, dup.Code)
		}
		same := mkTemplate("new", "same id", "x")
		same.ID = a.ID
		assert.ErrorIs(t, r.Templates().Create(ctx, same), helpdesk.ErrConflict, "id in use")

		mv := b
		mv.Code = "HeLLo"
		err := r.Templates().Update(ctx, mv)
		require.ErrorAs(t, err, &dup)
		assert.ErrorIs(t, err, helpdesk.ErrConflict)

		// the refusals left the transaction usable
		own := a
		own.Code = "HELLO" // its own code in another case is fine
		own.UpdatedAt = tplAt(3)
		require.NoError(t, r.Templates().Update(ctx, own))
		later = mkTemplate("later", "written after the refusals", "x")
		return r.Templates().Create(ctx, later)
	})
	require.NoError(t, err)
	got := tplList(t, s, svc)
	assert.Equal(t, []string{b.ID, a.ID, later.ID}, tplIDs(got), "nothing of the refused writes stayed")
	assert.Equal(t, "HELLO", got[1].Code)
	assert.Equal(t, "bye", got[0].Code)
}

func testTemplateLinks(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkTemplate("b-second", "A", "a")
	b := mkTemplate("a-first", "B", "b", "p1")
	c := mkTemplate("c-third", "C", "c")
	tplCreate(t, s, svc, a, b, c)
	byCat := func(cat string) []string {
		var out []template.Template
		tx(t, s, svc, func(r helpdesk.Repos) (err error) {
			out, err = r.Templates().ListByCategory(ctx, cat)
			return err
		})
		return tplIDs(out)
	}
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Templates().Link(ctx, a.ID, "p1"))
		require.NoError(t, r.Templates().Link(ctx, a.ID, "p1"), "linking twice is no change")
		require.NoError(t, r.Templates().Link(ctx, a.ID, "p0"))
		return r.Templates().Link(ctx, c.ID, "p2")
	})
	assert.Equal(t, []string{b.ID, a.ID}, byCat("p1"), "by code")
	assert.Equal(t, []string{a.ID}, byCat("p0"))
	assert.Equal(t, []string{}, byCat("nope"))
	got, err := tplGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"p0", "p1"}, got.CategoryIDs)

	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Templates().Unlink(ctx, a.ID, "p1"))
		require.NoError(t, r.Templates().Unlink(ctx, a.ID, "p1"), "unlinking what is not linked is no change")
		assert.ErrorIs(t, r.Templates().Link(ctx, newID(), "p1"), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Templates().Unlink(ctx, newID(), "p1"), helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []string{b.ID}, byCat("p1"))

	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().UnlinkCategory(ctx, "p0") })
	assert.Equal(t, []string{}, byCat("p0"))
	got, err = tplGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Nil(t, got.CategoryIDs)

	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().Delete(ctx, c.ID) })
	assert.Equal(t, []string{}, byCat("p2"), "a deleted template's links go with it")
	tplCreate(t, s, svc, template.Template{ID: c.ID, Code: "c-again", Title: "C", Content: "c", CreatedAt: tplAt(1), UpdatedAt: tplAt(1)})
	got, err = tplGet(s, svc, c.ID)
	require.NoError(t, err)
	assert.Nil(t, got.CategoryIDs, "no stale link comes back with the id")
}

func testTemplateSearch(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	all := []template.Template{
		mkTemplate("refund", "환불 안내", "고객님, 환불은 3일 안에 처리됩니다.", "p1"),
		mkTemplate("refund-card", "Card refund", "The card company cancels the payment.", "p1", "p2"),
		mkTemplate("REF_X", "Reference", "100% done", "p2"),
		mkTemplate("delivery", "배송 지연", "택배사 사정으로 DELIVERY가 늦어지고 있습니다."),
		mkTemplate("ｄｅｌａｙ", "Delay", "Ｆｕｌｌ-width text"),
		mkTemplate("re%", "Percent", "literal wildcard in the code"),
	}
	tplCreate(t, s, svc, all...)
	queries := []template.Query{
		{},
		{CodePrefix: "ref"},
		{CodePrefix: "REF"},
		{CodePrefix: "ｒｅｆ"},
		{CodePrefix: "refund-"},
		{CodePrefix: "ref_"}, // _ is no wildcard
		{CodePrefix: "re%"},  // % is no wildcard
		{CodePrefix: "de"},
		{CodePrefix: "nope"},
		{Words: "환불"},
		{Words: "REFUND card"},
		{Words: "  card   refund  "},
		{Words: "delivery"},
		{Words: "full-width"},
		{Words: "100%"},
		{Words: "환불 card"}, // both words must occur
		{CategoryID: "p1"},
		{CategoryID: "p2", Words: "card"},
		{CodePrefix: "ref", CategoryID: "p2"},
		{Limit: 2},
		{CodePrefix: "re", Limit: 1},
	}
	for _, q := range queries {
		nq, err := q.Normalize()
		require.NoError(t, err)
		want := []string{}
		sorted := tplList(t, s, svc)
		for _, tp := range sorted {
			if len(want) < nq.Limit && nq.Matches(tp, nq.Terms()) {
				want = append(want, tp.ID)
			}
		}
		var got []template.Template
		tx(t, s, svc, func(r helpdesk.Repos) (err error) {
			got, err = r.Templates().Search(ctx, q)
			return err
		})
		assert.Equal(t, want, tplIDs(got), "query %+v", q)
	}
	// spot checks of the rule itself
	var got []template.Template
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		got, err = r.Templates().Search(ctx, template.Query{CodePrefix: "REF"})
		return err
	})
	assert.Equal(t, []string{"REF_X", "refund", "refund-card"}, tplCodes(got))
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		got, err = r.Templates().Search(ctx, template.Query{Words: "full-width"})
		return err
	})
	assert.Equal(t, []string{"ｄｅｌａｙ"}, tplCodes(got))

	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		_, err := r.Templates().Search(ctx, template.Query{Limit: -1})
		return err
	})
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("limit"))
}

func tplCodes(ts []template.Template) []string {
	out := []string{}
	for _, tp := range ts {
		out = append(out, tp.Code)
	}
	return out
}

func testForbiddenWords(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	empty := tplWordList(t, s, svc)
	assert.Equal(t, template.WordList{}, empty, "a list never changed: no words, version \"\"")

	ws := []template.ForbiddenWord{
		{ID: newID(), Word: "바보", CreatedAt: tplAt(1)},
		{ID: newID(), Word: "Scam", CreatedAt: tplAt(2)},
		{ID: newID(), Word: "ｆｒａｕｄ", CreatedAt: tplAt(3)},
	}
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().AddForbiddenWords(ctx, ws) })
	l1 := tplWordList(t, s, svc)
	assert.Equal(t, []template.ForbiddenWord{ws[2], ws[1], ws[0]}, l1.Words, "by folded word: fraud, scam, 바보")
	assert.NotEmpty(t, l1.Version)
	seen := map[string]bool{"": true, l1.Version: true}

	// duplicates, folded, refuse the whole batch
	var dup *template.DuplicateWordError
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		for _, batch := range [][]template.ForbiddenWord{
			{{ID: newID(), Word: "new"}, {ID: newID(), Word: "SCAM"}},
			{{ID: newID(), Word: "Fraud"}},
			{{ID: newID(), Word: "twice"}, {ID: newID(), Word: "TWICE"}},
		} {
			for i := range batch {
				batch[i].CreatedAt = tplAt(4)
			}
			err := r.Templates().AddForbiddenWords(ctx, batch)
			require.ErrorAs(t, err, &dup)
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
		}
		assert.ErrorIs(t, r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{{ID: ws[0].ID, Word: "other", CreatedAt: tplAt(4)}}),
			helpdesk.ErrConflict, "id in use")
		err := r.Templates().UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: ws[0].ID, Word: "scam"})
		require.ErrorAs(t, err, &dup)
		assert.ErrorIs(t, r.Templates().UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: newID(), Word: "x"}), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Templates().DeleteForbiddenWord(ctx, newID()), helpdesk.ErrNotFound)
		return nil // commit: nothing of the refused calls may stay
	})
	require.NoError(t, err)
	assert.Equal(t, l1, tplWordList(t, s, svc), "refused writes changed neither the words nor the version")

	// every change gives a new version
	tx(t, s, svc, func(r helpdesk.Repos) error {
		return r.Templates().UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: ws[1].ID, Word: "SCAMMER", CreatedAt: tplAt(9)})
	})
	l2 := tplWordList(t, s, svc)
	assert.False(t, seen[l2.Version], "new version")
	seen[l2.Version] = true
	want := ws[1]
	want.Word = "SCAMMER" // the creation time stays
	assert.Equal(t, []template.ForbiddenWord{ws[2], want, ws[0]}, l2.Words)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		return r.Templates().UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: ws[1].ID, Word: "scammer"})
	})
	l3 := tplWordList(t, s, svc)
	assert.False(t, seen[l3.Version], "a change of case is a change")
	seen[l3.Version] = true
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().DeleteForbiddenWord(ctx, ws[0].ID) })
	l4 := tplWordList(t, s, svc)
	assert.False(t, seen[l4.Version])
	seen[l4.Version] = true
	assert.Equal(t, []string{"ｆｒａｕｄ", "scammer"}, tplWords(l4))
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Templates().DeleteForbiddenWord(ctx, ws[1].ID))
		return r.Templates().DeleteForbiddenWord(ctx, ws[2].ID)
	})
	l5 := tplWordList(t, s, svc)
	assert.Empty(t, l5.Words)
	assert.False(t, seen[l5.Version], "an emptied list has a version of its own")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().AddForbiddenWords(ctx, nil) })
	assert.Equal(t, l5, tplWordList(t, s, svc), "adding nothing is no change")

	// a deleted word may be listed again
	tx(t, s, svc, func(r helpdesk.Repos) error {
		return r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{{ID: newID(), Word: "바보", CreatedAt: tplAt(10)}})
	})
	assert.Equal(t, []string{"바보"}, tplWords(tplWordList(t, s, svc)))
}

func testTemplateIsolation(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	other := svc + "-other"
	mkService(t, s, other)
	a := mkTemplate("hello", "Hi", "hi", "p1")
	tplCreate(t, s, svc, a)
	w := template.ForbiddenWord{ID: newID(), Word: "scam", CreatedAt: tplAt(1)}
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{w}) })

	_, err := tplGet(s, other, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	for name, fn := range map[string]func(template.Repository) error{
		"update": func(r template.Repository) error { f := a; f.Title = "hijack"; return r.Update(ctx, f) },
		"delete": func(r template.Repository) error { return r.Delete(ctx, a.ID) },
		"link":   func(r template.Repository) error { return r.Link(ctx, a.ID, "p9") },
		"unlink": func(r template.Repository) error { return r.Unlink(ctx, a.ID, "p1") },
		"word": func(r template.Repository) error {
			return r.UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: w.ID, Word: "x"})
		},
		"delete word": func(r template.Repository) error {
			return r.DeleteForbiddenWord(ctx, w.ID)
		},
	} {
		err := s.Tx(ctx, other, func(r helpdesk.Repos) error { return fn(r.Templates()) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
	}
	tx(t, s, other, func(r helpdesk.Repos) error {
		l, err := r.Templates().List(ctx)
		require.NoError(t, err)
		assert.Empty(t, l)
		l, err = r.Templates().ListByCategory(ctx, "p1")
		require.NoError(t, err)
		assert.Empty(t, l)
		l, err = r.Templates().Search(ctx, template.Query{CodePrefix: "hel"})
		require.NoError(t, err)
		assert.Empty(t, l)
		require.NoError(t, r.Templates().UnlinkCategory(ctx, "p1"))
		wl, err := r.Templates().ForbiddenWords(ctx)
		require.NoError(t, err)
		assert.Equal(t, template.WordList{}, wl)
		// codes and words are unique per service only
		require.NoError(t, r.Templates().Create(ctx, mkTemplate("hello", "Hi", "hi")))
		return r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{{ID: newID(), Word: "SCAM", CreatedAt: tplAt(1)}})
	})
	got, err := tplGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, got, "untouched by the other service")
	assert.Equal(t, []string{"scam"}, tplWords(tplWordList(t, s, svc)))
}

func testTemplateRollback(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkTemplate("keep", "Keep", "keep", "p1")
	tplCreate(t, s, svc, a)
	w := template.ForbiddenWord{ID: newID(), Word: "scam", CreatedAt: tplAt(1)}
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{w}) })
	before := tplWordList(t, s, svc)
	var inside []string
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		tr := r.Templates()
		require.NoError(t, tr.Create(ctx, mkTemplate("ghost", "Ghost", "ghost", "p1")))
		upd := a
		upd.Title, upd.Code = "changed", "changed"
		require.NoError(t, tr.Update(ctx, upd))
		require.NoError(t, tr.Link(ctx, a.ID, "p2"))
		require.NoError(t, tr.Unlink(ctx, a.ID, "p1"))
		require.NoError(t, tr.AddForbiddenWords(ctx, []template.ForbiddenWord{{ID: newID(), Word: "ghost", CreatedAt: tplAt(2)}}))
		v, err := tr.ForbiddenVersion(ctx)
		require.NoError(t, err)
		inside = append(inside, v)
		require.NoError(t, tr.UpdateForbiddenWord(ctx, template.ForbiddenWord{ID: w.ID, Word: "fraud"}))
		require.NoError(t, tr.DeleteForbiddenWord(ctx, w.ID))
		v, err = tr.ForbiddenVersion(ctx)
		require.NoError(t, err)
		inside = append(inside, v)
		require.NoError(t, tr.Delete(ctx, a.ID))
		return errBoom
	})
	require.True(t, errors.Is(err, errBoom))
	got := tplList(t, s, svc)
	assert.Equal(t, []template.Template{a}, got)
	assert.Equal(t, before, tplWordList(t, s, svc))

	// a version seen inside the failed transaction is not handed out again
	tx(t, s, svc, func(r helpdesk.Repos) error {
		return r.Templates().AddForbiddenWords(ctx, []template.ForbiddenWord{{ID: newID(), Word: "ghost", CreatedAt: tplAt(3)}})
	})
	after := tplWordList(t, s, svc).Version
	assert.NotContains(t, append(inside, before.Version), after)
}
