package template_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/template"
)

func TestTemplate_TPL1_SpecNormalized(t *testing.T) {
	sp, err := template.Spec{Title: "  환불 안내 ", Content: "#{customerName}님, 안녕하세요.", Code: " refund ",
		CategoryIDs: []string{"p2", "p1", "p2"}}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, template.Spec{Title: "환불 안내", Content: "#{customerName}님, 안녕하세요.", Code: "refund",
		CategoryIDs: []string{"p1", "p2"}}, sp)
}

func TestTemplate_TPL1_BadSpecEveryProblem(t *testing.T) {
	_, err := template.Spec{Title: " ", Content: strings.Repeat("x", template.MaxContentBytes+1), Code: "two words",
		CategoryIDs: []string{""}}.Normalize()
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, template.ErrInvalid)
	for _, f := range []string{"title", "content", "code", "category_ids"} {
		assert.True(t, ve.Has(f), "%s in %v", f, err)
	}
	var pe *template.ParseError
	assert.False(t, errors.As(err, &pe), "no parse error when the content is refused before parsing")

	_, err = template.Spec{Title: "t", Content: "c", Code: strings.Repeat("c", template.MaxCodeBytes+1)}.Normalize()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("code"))
	_, err = template.Spec{Title: "t", Content: "c", Code: "tab\tbed"}.Normalize()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("code"))
}

func TestTemplate_TPL4_UnknownCodeRefusedAtSave(t *testing.T) {
	content := "안녕 #{customerName}, #{name} 님의 #{ticketID}"
	_, err := template.Spec{Title: "t", Content: content, Code: "c"}.Normalize()
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
