package category_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

var at = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// byID returns the rows keyed by id.
func byID(rows []category.Category) map[string]category.Category {
	out := make(map[string]category.Category, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// clone returns a deep copy of cs, to show a plan changed nothing.
func clone(cs []category.Category) []category.Category {
	out := make([]category.Category, len(cs))
	for i, c := range cs {
		out[i] = c.Clone()
	}
	return out
}

func TestPlanCreate_CAT1_PathAndPosition(t *testing.T) {
	a := node("a", nil, 0, "가")
	a0 := node("a0", &a, 0, "가0")
	a1 := node("a1", &a, 1, "가1")
	gone := node("gone", &a, 2, "없음")
	gone.Deleted = true
	p := node("p", nil, 0, "처리")
	p.Tree = category.Processing
	live := []category.Category{a1, a, gone, a0, p}
	before := clone(live)

	n := category.Category{ID: "n", Tree: category.Intake, ParentID: "a0", Name: i18n.Text{"ko": "새"}, Enabled: true,
		Position: 9, Path: []string{"junk"}, Deleted: true, CreatedAt: at, UpdatedAt: at}
	got, err := category.PlanCreate(live, n)
	require.NoError(t, err)
	want := n
	want.Path, want.Position, want.Deleted = []string{"a", "a0"}, 0, false
	assert.Equal(t, want, got, "path and position from the tree, the rest as given")

	got, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, ParentID: "a", Name: i18n.Text{"ko": "새"}})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Position, "after the live children; a deleted one takes no place")
	got, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, Name: i18n.Text{"ko": "새"}})
	require.NoError(t, err)
	assert.Nil(t, got.Path)
	assert.Equal(t, 1, got.Position, "a root after the tree's roots, not the other tree's")

	for name, parent := range map[string]string{"unknown": "nope", "deleted": "gone", "in the other tree": "p"} {
		_, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, ParentID: parent, Name: i18n.Text{"ko": "새"}})
		assert.ErrorIs(t, err, errs.ErrNotFound, name)
	}
	_, err = category.PlanCreate(live, category.Category{ID: "n", Tree: "other", Name: i18n.Text{"ko": "새"}})
	assert.ErrorIs(t, err, errs.ErrInvalid)
	assert.Equal(t, before, live, "the input is not changed")
}

func TestPlanCreate_CAT2_SixthLevelRefused(t *testing.T) {
	var live []category.Category
	var parent *category.Category
	for i, id := range []string{"l1", "l2", "l3", "l4", "l5"} {
		c := node(id, parent, 0, id)
		live = append(live, c)
		parent = &live[i]
	}
	got, err := category.PlanCreate(live, category.Category{ID: "ok", Tree: category.Intake, ParentID: "l4", Name: i18n.Text{"ko": "다섯"}})
	require.NoError(t, err)
	assert.Equal(t, category.MaxDepth, got.Level())
	_, err = category.PlanCreate(live, category.Category{ID: "six", Tree: category.Intake, ParentID: "l5", Name: i18n.Text{"ko": "여섯"}})
	var de *category.DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, category.DepthError{ID: "six", Level: 6}, *de)
	assert.ErrorIs(t, err, errs.ErrInvalid)
}

func TestPlanCreate_CAT3_DuplicateName(t *testing.T) {
	a := node("a", nil, 0, "결제")
	a.Name["en"] = "Billing"
	b := node("b", nil, 1, "계정")
	a1 := node("a1", &a, 0, "환불")
	live := []category.Category{a, b, a1}

	_, err := category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, ParentID: "b",
		Name: i18n.Text{"ko": "환불", "en": "Refunds"}})
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce, "level-wide, not parent-wide")
	assert.ErrorIs(t, err, errs.ErrConflict)
	assert.Equal(t, []category.Clash{{Tree: category.Intake, Level: 2, Lang: "ko", ID: "n", Name: "환불",
		ExistingID: "a1", ExistingName: "환불"}}, ce.Clashes)

	_, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, Name: i18n.Text{"ko": "결제 ", "en": "ＢＩＬＬＩＮＧ"}})
	require.ErrorAs(t, err, &ce)
	assert.Len(t, ce.Clashes, 2, "every clashing language")

	_, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, ParentID: "a1", Name: i18n.Text{"ko": "결제"}})
	assert.NoError(t, err, "the same name on another level")
	_, err = category.PlanCreate(live, category.Category{ID: "n", Tree: category.Processing, Name: i18n.Text{"ko": "결제"}})
	assert.NoError(t, err, "the same name in the other tree")
}

func TestCheckRename_CAT3_DuplicateName(t *testing.T) {
	a := node("a", nil, 0, "결제")
	b := node("b", nil, 1, "계정")
	live := []category.Category{a, b}
	r := b
	r.Name = i18n.Text{"ko": "결제"}
	var ce *category.NameClashError
	require.ErrorAs(t, category.CheckRename(live, r), &ce)
	assert.Equal(t, "a", ce.Clashes[0].ExistingID)
	r.Name = i18n.Text{"ko": "계정", "en": "Account"}
	assert.NoError(t, category.CheckRename(live, r), "its own stored name is no clash")
}

// moveTree: a (1) → a0, a1, a2 (2); a1 → a1x (3); b (1) → b0 (2); c (1).
func moveTree() []category.Category {
	a := node("a", nil, 0, "가")
	a0 := node("a0", &a, 0, "가0")
	a1 := node("a1", &a, 1, "가1")
	a2 := node("a2", &a, 2, "가2")
	a1x := node("a1x", &a1, 0, "가1x")
	b := node("b", nil, 1, "나")
	b0 := node("b0", &b, 0, "나0")
	c := node("c", nil, 2, "다")
	return []category.Category{a, a0, a1, a2, a1x, b, b0, c}
}

func TestPlanMove_CAT5_SubtreeAndPositions(t *testing.T) {
	live := moveTree()
	before := clone(live)
	moved, rows, err := category.PlanMove(live, "a1", "b0", at)
	require.NoError(t, err)
	want := live[2].Clone()
	want.ParentID, want.Path, want.Position, want.UpdatedAt = "b0", []string{"b", "b0"}, 0, at
	assert.Equal(t, want, moved)
	got := byID(rows)
	assert.Len(t, rows, 3, "the moved category, its child and the sibling after it")
	assert.Equal(t, want, got["a1"])
	assert.Equal(t, []string{"b", "b0", "a1"}, got["a1x"].Path, "descendants follow")
	assert.Equal(t, live[4].UpdatedAt, got["a1x"].UpdatedAt, "only the moved category's time changes")
	assert.Equal(t, 1, got["a2"].Position, "the old siblings close the gap")
	assert.Equal(t, before, live, "the input is not changed")

	moved, rows, err = category.PlanMove(live, "a1", "", at)
	require.NoError(t, err)
	assert.Nil(t, moved.Path)
	assert.Equal(t, 3, moved.Position, "after the roots")
	assert.Equal(t, []string{"a1"}, byID(rows)["a1x"].Path)

	moved, rows, err = category.PlanMove(live, "a1", "a", at)
	require.NoError(t, err)
	assert.Equal(t, live[2], moved, "under its current parent: nothing changes")
	assert.Empty(t, rows)
}

func TestPlanMove_CAT2_Refusals(t *testing.T) {
	live := moveTree()
	p := node("p", nil, 0, "처리")
	p.Tree = category.Processing
	gone := node("gone", nil, 3, "없음")
	gone.Deleted = true
	live = append(live, p, gone)

	var ce *category.CycleError
	_, _, err := category.PlanMove(live, "a", "a1x", at)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, category.CycleError{ID: "a", ParentID: "a1x"}, *ce)
	_, _, err = category.PlanMove(live, "a", "a", at)
	require.ErrorAs(t, err, &ce)

	for name, args := range map[string][2]string{
		"unknown category": {"nope", ""}, "deleted category": {"gone", ""},
		"unknown parent": {"a1", "nope"}, "deleted parent": {"a1", "gone"}, "parent in the other tree": {"a1", "p"},
	} {
		_, _, err = category.PlanMove(live, args[0], args[1], at)
		assert.ErrorIs(t, err, errs.ErrNotFound, name)
	}

	// a chain d1..d4 moved under a1x (level 3) would reach level 7
	d1 := node("d1", nil, 3, "라1")
	d2 := node("d2", &d1, 0, "라2")
	d3 := node("d3", &d2, 0, "라3")
	d4 := node("d4", &d3, 0, "라4")
	live = append(live, d4, d3, d2, d1)
	var de *category.DepthError
	_, _, err = category.PlanMove(live, "d1", "a1x", at)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, category.DepthError{ID: "d4", Level: 7}, *de)
	_, _, err = category.PlanMove(live, "d1", "b", at)
	assert.NoError(t, err, "level 5 is allowed")
}

func TestPlanMove_CAT3_NamesOnTheNewLevels(t *testing.T) {
	x := node("x", nil, 0, "엑스")
	x1 := node("x1", &x, 0, "같음")    // level 2
	x1a := node("x1a", &x1, 0, "아래") // level 3
	y := node("y", nil, 1, "와이")
	y1 := node("y1", &y, 0, "와이1")
	d := node("d", &y1, 0, "같음")  // level 3
	da := node("da", &d, 0, "아래") // level 4
	live := []category.Category{x, x1, x1a, y, y1, d, da}

	_, _, err := category.PlanMove(live, "d", "x", at) // d → 2, da → 3
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []category.Clash{
		{Tree: category.Intake, Level: 2, Lang: "ko", ID: "d", Name: "같음", ExistingID: "x1", ExistingName: "같음"},
		{Tree: category.Intake, Level: 3, Lang: "ko", ID: "da", Name: "아래", ExistingID: "x1a", ExistingName: "아래"},
	}, ce.Clashes, "every clash of the subtree")

	// the subtree's own names do not clash with themselves
	e := node("e", nil, 2, "같음")
	e1 := node("e1", &e, 0, "같음") // the same name on levels 1 and 2
	_, _, err = category.PlanMove([]category.Category{y, e, e1}, "e", "y", at)
	assert.NoError(t, err, "같음 → levels 2 and 3")
}

func TestPlanReorder_CAT5(t *testing.T) {
	live := moveTree()
	before := clone(live)
	rows, err := category.PlanReorder(live, category.Intake, "a", []string{"a2", "a0", "a1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a2": 0, "a0": 1, "a1": 2}, positions(rows))
	rows, err = category.PlanReorder(live, category.Intake, "", []string{"a", "c", "b"})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"c": 1, "b": 2}, positions(rows), "only the rows that change")
	rows, err = category.PlanReorder(live, category.Intake, "a1x", nil)
	require.NoError(t, err, "a leaf has no children")
	assert.Empty(t, rows)
	assert.Equal(t, before, live, "the input is not changed")

	_, err = category.PlanReorder(live, category.Intake, "a", []string{"a2", "a0"})
	assert.ErrorIs(t, err, errs.ErrInvalid, "one missing")
	_, err = category.PlanReorder(live, category.Intake, "a", []string{"a2", "a0", "a1", "b0"})
	assert.ErrorIs(t, err, errs.ErrInvalid, "not a sibling")
	_, err = category.PlanReorder(live, category.Intake, "nope", nil)
	assert.ErrorIs(t, err, errs.ErrNotFound)
	_, err = category.PlanReorder(live, category.Processing, "a", nil)
	assert.ErrorIs(t, err, errs.ErrNotFound, "a parent in the other tree")
}

func positions(rows []category.Category) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.ID] = r.Position
	}
	return out
}

func TestPlanDelete_CAT5_SubtreeAndGap(t *testing.T) {
	live := moveTree()
	before := clone(live)
	ids, rows, err := category.PlanDelete(live, "a", at)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a0", "a1", "a2", "a1x"}, ids, "the category, then its descendants by level and position")
	got := byID(rows)
	for _, id := range ids {
		assert.True(t, got[id].Deleted, id)
		assert.Equal(t, at, got[id].UpdatedAt, id)
	}
	assert.Equal(t, live[4].Path, got["a1x"].Path, "the path stays for history")
	assert.Equal(t, live[4].Name, got["a1x"].Name, "the name stays for history")
	assert.Equal(t, 0, got["b"].Position, "the siblings close the gap")
	assert.Equal(t, 1, got["c"].Position)
	assert.Len(t, rows, 7)
	assert.Equal(t, before, live, "the input is not changed")

	_, rows, err = category.PlanDelete(live, "a2", at)
	require.NoError(t, err)
	assert.Len(t, rows, 1, "the last child: no sibling moves")

	gone := node("gone", nil, 3, "없음")
	gone.Deleted = true
	_, _, err = category.PlanDelete(append(live, gone), "gone", at)
	assert.ErrorIs(t, err, errs.ErrNotFound, "already deleted")
	_, _, err = category.PlanDelete(live, "nope", at)
	assert.ErrorIs(t, err, errs.ErrNotFound)
}

func TestPlans_ShareNoMemory(t *testing.T) {
	live := moveTree()
	before := clone(live)
	_, rows, err := category.PlanMove(live, "a1", "b0", at)
	require.NoError(t, err)
	_, del, err := category.PlanDelete(live, "b", at)
	require.NoError(t, err)
	n, err := category.PlanCreate(live, category.Category{ID: "n", Tree: category.Intake, ParentID: "a1", Name: i18n.Text{"ko": "새"}})
	require.NoError(t, err)
	for _, r := range append(append(rows, del...), n) {
		r.Name["ko"] = "changed"
		if len(r.Path) > 0 {
			r.Path[0] = "changed"
		}
	}
	assert.Equal(t, before, live)
}
