package field_test

import (
	"fmt"
	"time"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// Define a select field, lay it out for an intake category and check the
// values a customer submitted: every bad field is reported at once.
func Example() {
	size := field.New{
		Key: "size", Kind: field.KindCustomer, Type: field.TypeSelect,
		Label:   i18n.Text{"ko": "크기", "en": "Size"},
		Options: []field.Option{{Value: "s"}, {Value: "m"}},
	}
	if err := size.Validate([]string{"ko", "en"}, "ko"); err != nil {
		fmt.Println(err)
		return
	}
	defs := field.Merge([]field.Field{size.Field(time.Now())}) // system fields first
	keys, err := field.CheckLayout(field.KindCustomer, []string{"size"}, defs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("layout:", keys)

	schema := field.Schema{Fields: defs, Customer: field.Layout{Kind: field.KindCustomer, Keys: keys}}
	err = field.Check{Prefix: "customer_fields.", Kind: field.KindCustomer, Schema: schema, Required: true}.
		Run(map[string]any{"size": "xl", "colour": "red"})
	fmt.Println(err)
	// Output:
	// layout: [intake_type size privacy_consent]
	// invalid: customer_fields.colour: no field "colour" in this service; customer_fields.size: "xl" is not one of the options ["s" "m"]
}
