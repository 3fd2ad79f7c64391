package agent_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

func ExampleNew_Validate() {
	err := agent.New{Name: "", Email: "kim at acme", Role: "boss"}.Validate()
	var ve *helpdesk.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p.Field)
		}
	}
	// Output:
	// name
	// email
	// role
}
