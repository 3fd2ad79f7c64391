//go:build !race

// The race detector drops pooled values at random, so allocations are
// counted only without it.

package trigger

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// TestRun_TRG7_NewOperatorsAllocateNothing: a run allocates one value (the
// boxed evalEnv) with contains_words and the category-list operators as
// without them: their answers are token strings the run writes in its
// pooled buffer.
func TestRun_TRG7_NewOperatorsAllocateNothing(t *testing.T) {
	s := testSchema()
	up := map[string][]string{"in-child": {"in-root"}, "pr-child": {"pr-root"}}
	in := baseInput()
	in.Ancestors = func(id string) []string { return up[id] }
	set := compileValid(t, s, Options{},
		trg("words", []Condition{
			cond(TargetContent, ContainsWords, []string{"refund", "환불"}),
			cond(TargetContent, Contains, "refund"),
			cond(TargetTitle, NotContainsWords, "fund"),
			cond("customer_fields.note", ContainsWords, "wrap"),
		}, quietNote),
		trg("categories", []Condition{
			cond(TargetIntakeCategory, IsUnderAny, []string{"in-root", "in-other"}),
			cond(TargetIntakeCategory, In, []string{"in-child", "in-other"}),
			cond(TargetProcessingCategory, IsNotUnderAny, []string{"pr-other"}),
			cond(TargetProcessingCategory, NotIn, []string{"pr-root"}),
		}, quietNote),
	)
	a := &nopApplier{}
	tk := baseTicket()
	allocs := testing.AllocsPerRun(100, func() {
		_, err := set.Run(ctxb, in, &tk, a)
		require.NoError(t, err)
	})
	assert.Equal(t, 2*101, a.fired, "both triggers fire on every run")
	assert.LessOrEqual(t, allocs, 1.0, "the boxed evalEnv only")
}

// TestRun_TRG7_OneAllocationPerEvent: on both benchmark workloads (1,000
// triggers; the wide one with categories under ancestors, memoized and
// hit-answered conditions) a run allocates the boxed evalEnv only.
func TestRun_TRG7_OneAllocationPerEvent(t *testing.T) {
	now, before := benchTicket()
	wnow, wbefore := wideTicket()
	cases := []struct {
		name string
		ts   []Trigger
		s    *Schema
		in   Input
		tk   ticket.Ticket
	}{
		{"prefiltered", benchTriggers(1000), benchSchema(), Input{Event: ticket.EventUpdated, Before: before, Now: now.UpdatedAt}, now},
		{"wide", wideTriggers(1000), wideSchema(), Input{Event: ticket.EventUpdated, Before: wbefore, Now: wnow.UpdatedAt, Ancestors: wideAncestors}, wnow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := Compile(c.ts, c.s, Options{})
			require.NoError(t, err)
			a := &nopApplier{}
			allocs := testing.AllocsPerRun(50, func() {
				_, err := set.Run(ctxb, c.in, &c.tk, a)
				require.NoError(t, err)
			})
			assert.Positive(t, a.fired)
			assert.LessOrEqual(t, allocs, 1.0)
		})
	}
}
