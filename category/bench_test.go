package category_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// fiveLevels builds a full tree of MaxDepth levels with fan-out 5 (3,905
// categories, UUIDv7 ids as the stores hand out) and the questions the
// benchmarks ask: for every leaf, is it under its root (yes, four levels
// up), under its grandparent (yes) and under another root (no: a full
// scan or walk).
func fiveLevels() (cs []category.Category, queries [][2]string) {
	var add func(parent *category.Category, level int)
	var roots []string
	var leaves []category.Category
	add = func(parent *category.Category, level int) {
		for i := range 5 {
			c := category.Category{ID: uuid.Must(uuid.NewV7()).String(), Tree: category.Intake, Position: i,
				Name: i18n.Text{"ko": fmt.Sprintf("%d-%d", level, i)}, Enabled: true}
			if parent != nil {
				c.ParentID = parent.ID
				c.Path = append(append([]string{}, parent.Path...), parent.ID)
			} else {
				roots = append(roots, c.ID)
			}
			cs = append(cs, c)
			if level < category.MaxDepth {
				add(&c, level+1)
			} else {
				leaves = append(leaves, c)
			}
		}
	}
	add(nil, 1)
	for i, l := range leaves {
		queries = append(queries, [2]string{l.ID, l.Path[0]}, [2]string{l.ID, l.Path[2]},
			[2]string{l.ID, roots[(i+1)%len(roots)]})
	}
	return cs, queries
}

// BenchmarkIsUnder answers "is or is under" from the stored ancestor path:
// one map lookup and a scan of at most four ids.
func BenchmarkIsUnder(b *testing.B) {
	cs, qs := fiveLevels()
	x := category.NewIndex(cs)
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		if x.IsUnder(q[0], q[1]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nothing is under anything")
	}
}

// BenchmarkIsUnder_ParentWalk is the baseline: walk up a map of parents,
// one lookup per level.
func BenchmarkIsUnder_ParentWalk(b *testing.B) {
	cs, qs := fiveLevels()
	parent := make(map[string]string, len(cs))
	for _, c := range cs {
		parent[c.ID] = c.ParentID
	}
	isUnder := func(id, ancestor string) bool {
		for id != "" {
			if id == ancestor {
				return true
			}
			id = parent[id]
		}
		return false
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		if isUnder(q[0], q[1]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nothing is under anything")
	}
}

// BenchmarkIsUnder_Loaded is Category.IsUnder on a category already in
// hand (a ticket's category loaded with the ticket): the path scan alone.
func BenchmarkIsUnder_Loaded(b *testing.B) {
	cs, qs := fiveLevels()
	x := category.NewIndex(cs)
	loaded := make([]category.Category, len(qs))
	for i, q := range qs {
		loaded[i], _ = x.Get(q[0])
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		if loaded[i%len(qs)].IsUnder(qs[i%len(qs)][1]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nothing is under anything")
	}
}
