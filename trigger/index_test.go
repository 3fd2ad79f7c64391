package trigger

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// indexOps are the operators the index decides, by target.
var indexOps = map[string][]Op{
	TargetIntakeCategory:     {Is, IsNot, In, NotIn, IsUnder, IsNotUnder, IsUnderAny, IsNotUnderAny},
	TargetProcessingCategory: {Is, IsNot, In, NotIn, IsUnder, IsNotUnder, IsUnderAny, IsNotUnderAny},
	TargetGroup:              {Is, IsNot, In, NotIn},
	TargetAssignee:           {Is, IsNot, In, NotIn},
	TargetEvent:              {Is, IsNot, In, NotIn},
	TargetStatus:             {Is, IsNot, In, NotIn},
}

// genIndexTrigger draws a trigger whose all list is mostly conditions the
// index decides — often several on one target, positive and negative —
// plus random conditions of any kind.
func genIndexTrigger(p picker, s *Schema, id string) Trigger {
	tr := Trigger{ID: id, Name: "indexed " + id, Active: true, Actions: []Action{quietNote}}
	targets := []string{TargetIntakeCategory, TargetProcessingCategory, TargetGroup, TargetAssignee, TargetEvent, TargetStatus}
	for n := 1 + p.IntN(4); len(tr.All) < n; {
		if p.IntN(5) == 0 {
			tr.All = append(tr.All, genCondition(p, s))
			continue
		}
		tg, _ := s.Target(pick(p, targets))
		op := pick(p, indexOps[tg.Name])
		tr.All = append(tr.All, Condition{Target: tg.Name, Op: op, Value: genValue(p, tg, op)})
	}
	for n := p.IntN(3); len(tr.Any) < n; {
		tr.Any = append(tr.Any, genCondition(p, s))
	}
	return tr
}

// TestRun_TRG7_IndexMatchesFullSource: with triggers whose all lists the
// index decides (categories with their ancestors, group, assignee, event,
// status; several conditions per target), a Set fires exactly the
// triggers whose full Source holds, in order (TRG-1), on random events.
func TestRun_TRG7_IndexMatchesFullSource(t *testing.T) {
	s := testSchema()
	setters := ticketSetters(s)
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x1de))
			var ts []Trigger
			for i := range 150 {
				ts = append(ts, genIndexTrigger(r, s, fmt.Sprintf("x%03d", i)))
			}
			set := compileValidLoose(t, s, ts)
			require.Greater(t, set.Len(), 100)
			progs := sourcePrograms(t, set)
			fired := 0
			for e := range 400 {
				in, tk := genEvent(r, s, setters)
				want := expected(t, set, progs, in, tk)
				rec := &recorder{}
				run := tk.Clone()
				_, err := set.Run(ctxb, in, &run, rec)
				require.NoError(t, err)
				require.Equal(t, want, rec.ids, "event %d", e)
				fired += len(want)
			}
			assert.Positive(t, fired)
		})
	}
}

// TestRun_TRG1_TRG7_IndexSeesChanges: a change made by a trigger moves the
// ticket to other postings of the index at once: later triggers of the
// same pass see it, earlier ones fire in the next pass, in order, each
// once; triggers it excludes no longer fire.
func TestRun_TRG1_TRG7_IndexSeesChanges(t *testing.T) {
	s := testSchema()
	move := Action{Kind: SetProcessingCategory, CategoryID: "pr-child"}
	set := compileValid(t, s, Options{},
		trg("t0", []Condition{cond(TargetProcessingCategory, IsUnder, "pr-root")}, quietNote),
		trg("t1", []Condition{cond(TargetProcessingCategory, Is, "pr-other"), cond(TargetGroup, In, []string{"g1", "g2"})}, move),
		trg("t2", []Condition{cond(TargetProcessingCategory, In, []string{"pr-child"}), cond(TargetGroup, IsNot, "g3")}, quietNote),
		trg("t3", []Condition{cond(TargetProcessingCategory, IsNotUnderAny, []string{"pr-root"})}, quietNote),
		trg("t4", []Condition{cond(TargetProcessingCategory, Is, "pr-other")}, quietNote),
		trg("t5", []Condition{cond(TargetProcessingCategory, IsUnder, "pr-root"), cond(TargetGroup, Is, "g3")}, quietNote),
	)
	tk := baseTicket()
	tk.ProcessingCategoryID, tk.GroupID = "pr-other", "g1"
	in := baseInput()
	in.Ancestors = ancestors
	a := &applier{}
	out, err := set.Run(ctxb, in, &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"t1", "t2", "t0"}, a.fired)
	assert.Equal(t, 2, out.Passes)
	assert.Equal(t, "pr-child", tk.ProcessingCategoryID)

	rep, err := set.DryRun(in, func() ticket.Ticket {
		tk := baseTicket()
		tk.ProcessingCategoryID, tk.GroupID = "pr-other", "g1"
		return tk
	}())
	require.NoError(t, err)
	passes := map[string]int{}
	for _, tr := range rep.Triggers {
		passes[tr.ID] = tr.Pass
		if tr.ID == "t5" {
			assert.False(t, tr.Evaluated, "the group index skipped t5 in every pass")
			require.Len(t, tr.Conditions, 2)
			assert.True(t, tr.Conditions[0].Held, "pr-child is under pr-root")
			assert.False(t, tr.Conditions[1].Held)
		}
	}
	assert.Equal(t, map[string]int{"t0": 2, "t1": 1, "t2": 1, "t3": 0, "t4": 0, "t5": 0}, passes)
}

// TestCompile_TRG5_SharesConditions: triggers that share a condition share
// its program; the conditions the index decides have none until a dry
// run asks; contains conditions are answered from the hits.
func TestCompile_TRG5_SharesConditions(t *testing.T) {
	s := testSchema()
	set := compileValid(t, s, Options{},
		trg("a", []Condition{cond(TargetGroup, Is, "g1"), cond("customer_fields.size", GreaterThan, 3.0)}, quietNote),
		trg("b", []Condition{cond(TargetGroup, Is, "g1"), cond("customer_fields.size", GreaterThan, 3.0), cond(TargetContent, Contains, "refund")}, quietNote),
	)
	require.Len(t, set.conds, 3, "group, size and contains: one each")
	assert.Nil(t, set.progs[0], "the index decides group is g1")
	assert.NotNil(t, set.progs[1])
	assert.Nil(t, set.progs[2], "contains is answered from the hits")
	assert.Equal(t, []int32{1}, set.runs[set.runOff[0]:set.runOff[1]])
	assert.Equal(t, []int32{1, 2}, set.runs[set.runOff[1]:set.runOff[2]])
	assert.Contains(t, set.Source(1), `(Now.Group == "g1") /* group is g1 */ &&`)
}
