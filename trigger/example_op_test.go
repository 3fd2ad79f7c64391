package trigger

import (
	"fmt"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// contains looks for a text anywhere, contains_words for whole words (Hangul
// words may carry their particles); in and is_under_any route a list of
// categories in one condition.
func ExampleOp() {
	s := NewSchema(nil, []string{"ko", "en"}, "ko")
	up := map[string][]string{"refunds": {"billing"}, "invoices": {"billing"}}
	set, err := Compile([]Trigger{
		{ID: "1", Name: "contains refund", Active: true,
			All: []Condition{{Target: TargetContent, Op: Contains, Value: "refund"}}, Actions: []Action{{Kind: AddTags, Tags: []string{"x"}}}},
		{ID: "2", Name: "contains the words refund or 환불", Active: true,
			All: []Condition{{Target: TargetContent, Op: ContainsWords, Value: []string{"refund", "환불"}}}, Actions: []Action{{Kind: AddTags, Tags: []string{"x"}}}},
		{ID: "3", Name: "billing or shipping, or below them", Active: true,
			All: []Condition{{Target: TargetIntakeCategory, Op: IsUnderAny, Value: []string{"billing", "shipping"}}}, Actions: []Action{{Kind: AddTags, Tags: []string{"x"}}}},
	}, s, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []struct{ content, category string }{
		{"This ticket is nonrefundable.", "refunds"},
		{"I want a REFUND, please.", "other"},
		{"환불을 요청합니다", "invoices"},
	} {
		tk := ticket.Ticket{ID: "tk1", Content: c.content, IntakeCategoryID: c.category, Status: ticket.StatusOpen}
		in := Input{Event: ticket.EventUpdated, Before: tk, Now: time.Now(), Ancestors: func(id string) []string { return up[id] }}
		rep, err := set.DryRun(in, tk)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q in %s:\n", c.content, c.category)
		for _, tr := range rep.Triggers {
			fmt.Printf("  %s: %v\n", tr.Name, tr.Fired)
		}
	}
	// Output:
	// "This ticket is nonrefundable." in refunds:
	//   contains refund: true
	//   contains the words refund or 환불: false
	//   billing or shipping, or below them: true
	// "I want a REFUND, please." in other:
	//   contains refund: true
	//   contains the words refund or 환불: true
	//   billing or shipping, or below them: false
	// "환불을 요청합니다" in invoices:
	//   contains refund: false
	//   contains the words refund or 환불: true
	//   billing or shipping, or below them: true
}
