package category_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// node builds a live intake category under parent (nil: a root).
func node(id string, parent *category.Category, pos int, ko string) category.Category {
	c := category.Category{ID: id, Tree: category.Intake, Position: pos, Name: i18n.Text{"ko": ko}, Enabled: true}
	if parent != nil {
		c.ParentID = parent.ID
		c.Path = append(append([]string{}, parent.Path...), parent.ID)
	}
	return c
}

func TestTree_CAT1_Valid(t *testing.T) {
	assert.True(t, category.Intake.Valid())
	assert.True(t, category.Processing.Valid())
	assert.False(t, category.Tree("").Valid())
	assert.False(t, category.Tree("Intake").Valid())
	assert.Equal(t, []category.Tree{category.Intake, category.Processing}, category.Trees)
}

func TestCategory_CAT2_LevelAndIsUnder(t *testing.T) {
	a := node("a", nil, 0, "가")
	b := node("b", &a, 0, "나")
	c := node("c", &b, 0, "다")
	other := node("x", nil, 1, "기타")
	assert.Equal(t, 1, a.Level())
	assert.Equal(t, 3, c.Level())
	for _, tc := range []struct {
		c        category.Category
		ancestor string
		want     bool
	}{
		{c, "c", true}, // is
		{c, "b", true}, // is under
		{c, "a", true},
		{c, "x", false},
		{a, "b", false}, // not above
		{other, "a", false},
		{c, "", false},
	} {
		assert.Equal(t, tc.want, tc.c.IsUnder(tc.ancestor), "%s under %q", tc.c.ID, tc.ancestor)
	}
}

func TestCategory_Clone(t *testing.T) {
	a := node("a", nil, 0, "가")
	b := node("b", &a, 0, "나")
	c := b.Clone()
	c.Name["ko"] = "x"
	c.Path[0] = "x"
	assert.Equal(t, "나", b.Name["ko"])
	assert.Equal(t, []string{"a"}, b.Path)
	root := a
	root.Path = []string{}
	assert.Nil(t, root.Clone().Path, "an empty path is nil")
}

func TestNameKey_CAT3_SameName(t *testing.T) {
	same := [][]string{
		{"Billing", "billing", " BILLING ", "ＢＩＬＬＩＮＧ", "Ｂｉｌｌｉｎｇ"},
		{"결제 문의", "결제  문의", "결제\t문의", " 결제 문의 "},
		{"카페", "\u110f\u1161\u1111\u1166"}, // precomposed and decomposed Hangul
	}
	for _, group := range same {
		for _, n := range group[1:] {
			assert.Equal(t, category.NameKey(group[0]), category.NameKey(n), "%q and %q", group[0], n)
		}
	}
	assert.NotEqual(t, category.NameKey("결제"), category.NameKey("결재"))
	assert.NotEqual(t, category.NameKey("결제 문의"), category.NameKey("결제문의"))
}

func problems(err error) map[string]string {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := map[string]string{}
	for _, p := range ve.Problems {
		out[p.Field] = p.Reason
	}
	return out
}

func TestCheckName_CAT4_SVC2(t *testing.T) {
	langs := []string{"ko", "en", "ja"}
	got, err := category.CheckName("name", i18n.Text{"ko": "  결제 ", "EN": "Billing", "ja": " "}, langs, "ko")
	require.NoError(t, err)
	assert.Equal(t, i18n.Text{"ko": "결제", "en": "Billing"}, got, "trimmed, canonical tags, empty texts dropped")

	_, err = category.CheckName("name", i18n.Text{"en": "Billing", "fr": "Facturation", "ja": strings.Repeat("あ", 70),
		"zz!": "x", "de": ""}, langs, "ko")
	p := problems(err)
	assert.Len(t, p, 5, "%v", p)
	assert.Contains(t, p["name.ko"], "default language")
	assert.Contains(t, p["name.fr"], "not one of the service's languages")
	assert.Contains(t, p["name.de"], "not one of the service's languages", "even when empty")
	assert.Contains(t, p["name.ja"], "over 200 bytes")
	assert.Contains(t, p, "name.zz!")

	_, err = category.CheckName("name", i18n.Text{"ko": "결\n제", "en": "Bill", "EN": "Bill"}, langs, "ko")
	p = problems(err)
	assert.Contains(t, p["name.ko"], "control characters")
	assert.Contains(t, p["name.en"], "given twice")

	_, err = category.CheckName("name", nil, langs, "ko")
	assert.Equal(t, []string{"name.ko"}, keys(problems(err)))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFindClashes_CAT3_PerLevelPerLanguage(t *testing.T) {
	a := node("a", nil, 0, "결제")
	a.Name["en"] = "Billing"
	a1 := node("a1", &a, 0, "환불")
	b := node("b", nil, 1, "계정")
	b1 := node("b1", &b, 0, "결제") // same name, other level: fine
	gone := node("gone", nil, 2, "결제")
	gone.Deleted = true
	proc := node("p", nil, 0, "결제")
	proc.Tree = category.Processing
	all := []category.Category{a, a1, b, b1, gone, proc}

	n := category.Category{ID: "n", Tree: category.Intake, Name: i18n.Text{"ko": "결제", "en": "BILLING", "ja": "決済"}}
	got := category.FindClashes(n, 1, all, nil)
	assert.ElementsMatch(t, []category.Clash{
		{Tree: category.Intake, Level: 1, Lang: "ko", ID: "n", Name: "결제", ExistingID: "a", ExistingName: "결제"},
		{Tree: category.Intake, Level: 1, Lang: "en", ID: "n", Name: "BILLING", ExistingID: "a", ExistingName: "Billing"},
	}, got, "deleted categories and the other tree do not count")
	assert.Empty(t, category.FindClashes(n, 3, all, nil), "an empty level")
	assert.Empty(t, category.FindClashes(a, 1, all, nil), "a category does not clash with itself")
	assert.Empty(t, category.FindClashes(n, 1, all, func(id string) bool { return id == "a" }), "skipped")

	err := category.NewClashError(got)
	assert.ErrorIs(t, err, errs.ErrConflict)
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "en", ce.Clashes[0].Lang, "sorted")
	assert.Equal(t, `conflict: category name clash (CAT-3): the en name "BILLING" of category n is used by category a ("Billing") on level 1 of the intake tree; `+
		`the ko name "결제" of category n is used by category a ("결제") on level 1 of the intake tree`, err.Error())
	assert.NoError(t, category.NewClashError(nil))
}

func TestCheckMove_CAT2_CycleAndDepth(t *testing.T) {
	// a (1) → b (2) → c (3) → d (4); x (1) → y (2)
	a := node("a", nil, 0, "가")
	b := node("b", &a, 0, "나")
	c := node("c", &b, 0, "다")
	d := node("d", &c, 0, "라")
	x := node("x", nil, 1, "기")
	y := node("y", &x, 0, "니")
	y2 := node("y2", &y, 0, "디")

	var ce *category.CycleError
	require.ErrorAs(t, category.CheckMove([]category.Category{b, c, d}, &b), &ce)
	assert.Equal(t, category.CycleError{ID: "b", ParentID: "b"}, *ce)
	assert.Equal(t, "invalid: category b cannot be moved under itself", ce.Error())
	require.ErrorAs(t, category.CheckMove([]category.Category{b, d, c}, &d), &ce)
	assert.Equal(t, "invalid: category b cannot be moved under d, which is below it", ce.Error())
	assert.ErrorIs(t, ce, errs.ErrInvalid)

	var de *category.DepthError
	err := category.CheckMove([]category.Category{b, c, d}, &y2) // b → 4, d → 6
	require.ErrorAs(t, err, &de)
	assert.Equal(t, category.DepthError{ID: "d", Level: 6}, *de)
	assert.ErrorIs(t, err, errs.ErrInvalid)
	assert.Contains(t, err.Error(), "at most 5 levels")
	assert.NoError(t, category.CheckMove([]category.Category{b, c, d}, &y), "b → 3, d → 5")
	assert.NoError(t, category.CheckMove([]category.Category{c, d}, nil), "to the roots")
	assert.NoError(t, category.CheckMove([]category.Category{a, b, c, d}, &x), "a → 2, d → 5")
	assert.Error(t, category.CheckMove([]category.Category{a, b, c, d}, &y))
}

func TestOrder_DepthFirstBySiblingPosition(t *testing.T) {
	a := node("a", nil, 1, "가")
	b := node("b", nil, 0, "나")
	a1 := node("a1", &a, 1, "가1")
	a0 := node("a0", &a, 0, "가0")
	a00 := node("a00", &a0, 0, "가00")
	b0 := node("b0", &b, 0, "나0")
	in := []category.Category{a00, a1, a, b0, a0, b}
	got := category.Order(in)
	ids := make([]string, len(got))
	for i, c := range got {
		ids[i] = c.ID
	}
	assert.Equal(t, []string{"b", "b0", "a", "a0", "a00", "a1"}, ids)
	assert.Equal(t, "a00", in[0].ID, "the input is not changed")
	// a listing without some parents: orphans become roots, by level
	got = category.Order([]category.Category{a00, a1, b})
	assert.Equal(t, "b", got[0].ID)
	assert.Equal(t, "a1", got[1].ID)
	assert.Equal(t, "a00", got[2].ID)
	assert.Empty(t, category.Order(nil))
}

func TestCheckReorder(t *testing.T) {
	sib := []category.Category{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	assert.NoError(t, category.CheckReorder([]string{"c", "a", "b"}, sib))
	assert.NoError(t, category.CheckReorder(nil, nil))
	for _, ids := range [][]string{{"a", "b"}, {"a", "b", "c", "c"}, {"a", "b", "c", "d"}, {"a", "b", "d"}} {
		assert.ErrorIs(t, category.CheckReorder(ids, sib), errs.ErrInvalid, "%v", ids)
	}
}

func TestIndex_IsUnderAndPath(t *testing.T) {
	a := node("a", nil, 0, "결제")
	b := node("b", &a, 0, "환불")
	c := node("c", &b, 0, "부분 환불")
	c.Name["en"] = "Partial refund"
	x := category.NewIndex([]category.Category{a, b, c})
	assert.True(t, x.IsUnder("c", "a"))
	assert.True(t, x.IsUnder("a", "a"))
	assert.False(t, x.IsUnder("a", "c"))
	assert.False(t, x.IsUnder("nope", "a"))
	got, ok := x.Get("b")
	assert.True(t, ok)
	assert.Equal(t, b, got)
	assert.Equal(t, []string{"결제", "환불", "Partial refund"}, category.Names(x.Path("c"), "en", "ko"), "falls back per category (SVC-2)")
	assert.Nil(t, x.Path("nope"))
	partial := category.NewIndex([]category.Category{c})
	assert.Len(t, partial.Path("c"), 1, "missing ancestors are skipped")
}

func TestHelpCenter_CAT6_DisabledHidesSubtree(t *testing.T) {
	a := node("a", nil, 0, "가")
	a1 := node("a1", &a, 0, "가1")
	b := node("b", nil, 1, "나")
	b.Enabled = false
	b1 := node("b1", &b, 0, "나1") // enabled, but under a disabled parent
	c := node("c", nil, 2, "다")
	c1 := node("c1", &c, 0, "다1")
	c1.Enabled = false
	got := category.HelpCenter([]category.Category{a, a1, b, b1, c, c1})
	var ids []string
	for _, g := range got {
		ids = append(ids, g.ID)
	}
	assert.Equal(t, []string{"a", "a1", "c"}, ids)
	p := node("p", nil, 0, "처리")
	p.Tree = category.Processing
	assert.Empty(t, category.HelpCenter([]category.Category{p}), "processing categories are not picked in the help center")
}

func TestDepthError_Message(t *testing.T) {
	err := error(&category.DepthError{ID: "f", Level: 6})
	assert.Equal(t, "invalid: category f would be on level 6; a tree has at most 5 levels (CAT-2)", err.Error())
	assert.True(t, errors.Is(err, category.ErrInvalid))
	assert.False(t, errors.Is(err, category.ErrConflict))
	assert.Equal(t, fmt.Sprint(category.MaxDepth), "5")
}
