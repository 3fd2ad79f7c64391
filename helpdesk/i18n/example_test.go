package i18n_test

import (
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/i18n"
)

func ExampleText_Get() {
	name := i18n.Text{"ko": "결제", "en": "Billing"}
	fmt.Println(name.Get("en", "ko"))
	fmt.Println(name.Get("ja", "ko")) // no Japanese text: falls back to the default
	// Output:
	// Billing
	// 결제
}
