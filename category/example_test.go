package category_test

import (
	"fmt"
	"strings"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// A tree as a store returns it: each category carries the ids of its
// ancestors, so "is or is under" and the path of names need no walk.
func Example() {
	billing := category.Category{ID: "c1", Tree: category.Intake, Name: i18n.Text{"ko": "결제", "en": "Billing"}, Enabled: true}
	refund := category.Category{ID: "c2", Tree: category.Intake, ParentID: "c1", Path: []string{"c1"},
		Name: i18n.Text{"ko": "환불", "en": "Refund"}, Enabled: true}
	partial := category.Category{ID: "c3", Tree: category.Intake, ParentID: "c2", Path: []string{"c1", "c2"},
		Name: i18n.Text{"ko": "부분 환불"}, Enabled: false}
	tree := category.NewIndex([]category.Category{billing, refund, partial})

	fmt.Println(partial.Level(), tree.IsUnder("c3", "c1"), tree.IsUnder("c1", "c3"))
	fmt.Println(strings.Join(category.Names(tree.Path("c3"), "en", "ko"), " > "))
	fmt.Println(len(category.HelpCenter([]category.Category{billing, refund, partial})), "of 3 in the help center")
	fmt.Println(category.NameKey(" ＢＩＬＬＩＮＧ ") == category.NameKey("billing"))
	// Output:
	// 3 true false
	// Billing > Refund > 부분 환불
	// 2 of 3 in the help center
	// true
}
