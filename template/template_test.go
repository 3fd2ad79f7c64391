package template_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/template"
)

func TestTemplate_TPL1_SpecNormalized(t *testing.T) {
	sp, err := template.New{Title: "  환불 안내 ", Content: "#{customerName}님, 안녕하세요.", Code: " refund ",
		CategoryIDs: []string{"p2", "p1", "p2"}}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, template.New{Title: "환불 안내", Content: "#{customerName}님, 안녕하세요.", Code: "refund",
		CategoryIDs: []string{"p1", "p2"}}, sp)
}

func TestTemplate_TPL1_BadSpecEveryProblem(t *testing.T) {
	_, err := template.New{Title: " ", Content: strings.Repeat("x", template.MaxContentBytes+1), Code: "two words",
		CategoryIDs: []string{""}}.Normalize()
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, template.ErrInvalid)
	for _, f := range []string{"title", "content", "code", "category_ids"} {
		assert.True(t, ve.Has(f), "%s in %v", f, err)
	}
	var pe *template.ParseError
	assert.False(t, errors.As(err, &pe), "no parse error when the content is refused before parsing")

	_, err = template.New{Title: "t", Content: "c", Code: strings.Repeat("c", template.MaxCodeBytes+1)}.Normalize()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("code"))
	_, err = template.New{Title: "t", Content: "c", Code: "tab\tbed"}.Normalize()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("code"))
}

func TestTemplate_TPL4_UnknownCodeRefusedAtSave(t *testing.T) {
	content := "안녕 #{customerName}, #{name} 님의 #{ticketID}"
	_, err := template.New{Title: "t", Content: content, Code: "c"}.Normalize()
	require.ErrorIs(t, err, template.ErrInvalid)
	var pe *template.ParseError
	require.ErrorAs(t, err, &pe, "the offsets, for an editor to point at")
	require.Len(t, pe.Codes, 2)
	assert.Equal(t, strings.Index(content, "#{name}"), pe.Codes[0].Offset)
	assert.Equal(t, "name", pe.Codes[0].Code)
	assert.Equal(t, strings.Index(content, "#{ticketID}"), pe.Codes[1].Offset)
	assert.Contains(t, pe.Codes[1].Reason, "did you mean #{ticketId}?")
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve, "and the problem list every other input gives")
	assert.True(t, ve.Has("content"))
	assert.Len(t, ve.Problems, 2)
	assert.Contains(t, ve.Problems[0].Reason, "at byte 24")
	assert.Equal(t, `invalid: content: code "name" at byte 24: unknown code; `+
		`content: code "ticketID" at byte 39: unknown code (did you mean #{ticketId}?)`, err.Error(),
		"each bad code told once, though both types describe it")
}

func TestTemplate_TPL3_Query(t *testing.T) {
	q, err := template.Query{}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, template.DefaultSearchLimit, q.Limit)
	for _, bad := range []template.Query{{Limit: -1}, {Limit: template.MaxSearchLimit + 1}, {CodePrefix: "\xff"}, {Words: strings.Repeat("w", 1000)}} {
		_, err := bad.Normalize()
		assert.ErrorIs(t, err, template.ErrInvalid, "%+v", bad)
	}
	assert.Equal(t, []string{"card", "환불"}, template.Query{Words: " 환불  CARD ｃａｒｄ "}.Terms())

	tp := template.Template{Code: "Refund-Card", Title: "카드 환불", Content: "The CARD company cancels.", CategoryIDs: []string{"p1"}}
	for q, want := range map[template.Query]bool{
		{}:                                    true,
		{CodePrefix: "refund"}:                true,
		{CodePrefix: "ＲＥＦ"}:                   true,
		{CodePrefix: "card"}:                  false,
		{Words: "환불 card"}:                    true,
		{Words: "환불 debit"}:                   false,
		{CategoryID: "p1"}:                    true,
		{CategoryID: "p2"}:                    false,
		{Words: "환불\ncancels"}:                true,
		{Words: "카드 환불"}:                      true,
		{CodePrefix: "refund", Words: "card"}: true,
	} {
		assert.Equal(t, want, q.Matches(tp, q.Terms()), "%+v", q)
	}
	a, b := template.Template{ID: "2", Code: "b"}, template.Template{ID: "1", Code: "A"}
	assert.Positive(t, template.Compare(a, b), "by folded code, not by id")
}

func TestTemplate_FWD1_NormalizeWord(t *testing.T) {
	w, err := template.NormalizeWord("  바보  ")
	require.NoError(t, err)
	assert.Equal(t, "바보", w)
	for _, bad := range []string{"", "   ", "two\nlines", "\xff", strings.Repeat("가", 40)} {
		_, err := template.NormalizeWord(bad)
		var ve *errs.ValidationError
		require.ErrorAs(t, err, &ve, "%q", bad)
		assert.True(t, ve.Has("word"))
	}
}

func TestTemplate_DuplicateErrorsAreConflicts(t *testing.T) {
	for _, err := range []error{&template.DuplicateCodeError{Code: "x"}, &template.DuplicateWordError{Word: "x"}} {
		assert.ErrorIs(t, err, template.ErrConflict)
		assert.NotErrorIs(t, err, template.ErrInvalid)
		assert.Contains(t, err.Error(), `"x"`)
	}
}

func TestTemplate_CloneSharesNothing(t *testing.T) {
	a := template.Template{CategoryIDs: []string{"p1"}}
	b := a.Clone()
	b.CategoryIDs[0] = "changed"
	assert.Equal(t, "p1", a.CategoryIDs[0])
}

func TestTemplate_TPL1_CheckCode(t *testing.T) {
	a := template.Template{ID: "a", Code: "Refund"}
	others := []template.Template{a, {ID: "b", Code: "refund-card"}}
	for _, code := range []string{"refund", "REFUND", "ｒｅｆｕｎｄ"} {
		err := template.CheckCode(others, template.Template{ID: "new", Code: code})
		var dup *template.DuplicateCodeError
		require.ErrorAs(t, err, &dup, code)
		assert.Equal(t, code, dup.Code)
		assert.ErrorIs(t, err, template.ErrConflict)
	}
	assert.NoError(t, template.CheckCode(others, template.Template{ID: "a", Code: "REFUND"}), "its own code, in another case")
	assert.NoError(t, template.CheckCode(others, template.Template{ID: "new", Code: "refund-"}), "a prefix of another code is no clash")
	assert.NoError(t, template.CheckCode(nil, template.Template{ID: "new", Code: "refund"}))
}

func TestTemplate_FWD1_CheckWords(t *testing.T) {
	listed := []template.ForbiddenWord{{ID: "1", Word: "Scam"}, {ID: "2", Word: "바보"}}
	var dup *template.DuplicateWordError
	for name, c := range map[string]struct {
		ws   []template.ForbiddenWord
		word string
	}{
		"listed":              {[]template.ForbiddenWord{{ID: "3", Word: "new"}, {ID: "4", Word: "ＳＣＡＭ"}}, "ＳＣＡＭ"},
		"given twice":         {[]template.ForbiddenWord{{ID: "3", Word: "twice"}, {ID: "4", Word: "TWICE"}}, "TWICE"},
		"respelt onto listed": {[]template.ForbiddenWord{{ID: "2", Word: "scam"}}, "scam"},
	} {
		err := template.CheckWords(listed, c.ws)
		require.ErrorAs(t, err, &dup, name)
		assert.Equal(t, c.word, dup.Word, name)
		assert.ErrorIs(t, err, template.ErrConflict, name)
	}
	assert.NoError(t, template.CheckWords(listed, []template.ForbiddenWord{{ID: "1", Word: "SCAM"}}), "an entry respelt in another case")
	assert.NoError(t, template.CheckWords(listed, []template.ForbiddenWord{{ID: "1", Word: "바보"}, {ID: "2", Word: "scam"}}),
		"two entries swapping their words")
	assert.NoError(t, template.CheckWords(nil, []template.ForbiddenWord{{ID: "1", Word: "a"}, {ID: "2", Word: "b"}}))
}

func TestTemplate_FWD1_CheckWordsListLimit(t *testing.T) {
	listed := make([]template.ForbiddenWord, template.MaxWords-1)
	for i := range listed {
		listed[i] = template.ForbiddenWord{ID: strconv.Itoa(i), Word: "w" + strconv.Itoa(i)}
	}
	require.NoError(t, template.CheckWords(listed, []template.ForbiddenWord{{ID: "new", Word: "last"}}), "up to the limit")
	err := template.CheckWords(listed, []template.ForbiddenWord{{ID: "new", Word: "last"}, {ID: "new2", Word: "one more"}})
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("words"))
	full := append(listed, template.ForbiddenWord{ID: "new", Word: "last"})
	assert.NoError(t, template.CheckWords(full, []template.ForbiddenWord{{ID: "new", Word: "respelt"}}), "a full list can be respelt")
	err = template.CheckWords(full, []template.ForbiddenWord{{ID: "new2", Word: "w1"}})
	require.ErrorAs(t, err, &ve, "the limit is checked before duplicates")
}

func TestTemplate_TPL2_LinkUnlink(t *testing.T) {
	a := template.Template{CategoryIDs: []string{"p1", "p3"}}
	b, changed := a.Link("p2")
	assert.True(t, changed)
	assert.Equal(t, []string{"p1", "p2", "p3"}, b.CategoryIDs, "ascending")
	assert.Equal(t, []string{"p1", "p3"}, a.CategoryIDs, "a is unchanged")
	_, changed = b.Link("p2")
	assert.False(t, changed, "linking twice is no change")
	c, changed := b.Unlink("p1")
	assert.True(t, changed)
	assert.Equal(t, []string{"p2", "p3"}, c.CategoryIDs)
	assert.Equal(t, []string{"p1", "p2", "p3"}, b.CategoryIDs, "b is unchanged")
	_, changed = c.Unlink("p1")
	assert.False(t, changed, "unlinking what is not linked is no change")
	d, _ := template.Template{CategoryIDs: []string{"p1"}}.Unlink("p1")
	assert.Nil(t, d.CategoryIDs, "no links left is nil")
	e, _ := template.Template{}.Link("p1")
	assert.Equal(t, []string{"p1"}, e.CategoryIDs)
}

func TestTemplate_TPL3_MatchesFoldedIsMatches(t *testing.T) {
	tp := template.Template{Code: "Refund-Card", Title: "카드 환불", Content: "The CARD company cancels.", CategoryIDs: []string{"p1"}}
	key, text := template.CodeKey(tp.Code), template.SearchText(tp.Title, tp.Content)
	assert.Equal(t, "refund-card", key)
	for _, q := range []template.Query{{}, {CodePrefix: "ＲＥＦ"}, {CodePrefix: "card"}, {Words: "환불 card"}, {Words: "debit"},
		{CategoryID: "p1"}, {CategoryID: "p2"}, {Words: "환불\ncancels"}} {
		assert.Equal(t, q.Matches(tp, q.Terms()), q.MatchesFolded(key, text, tp.CategoryIDs, q.Terms()), "%+v", q)
	}
}
