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

// An agent.New without Permissions and Toggles gets its role's defaults;
// the service keeps only the channels it contracted.
func ExampleDefaultPermissions() {
	fmt.Printf("%+v\n", agent.DefaultPermissions(agent.RoleAgent))
	fmt.Printf("%+v\n", agent.DefaultToggles(agent.RoleAgent))
	// Output:
	// {Ticket:true Chat:true Phone:true Forward:true ViewLogs:false Export:false}
	// {TicketAssignment:true ChatAssignment:true AssignmentControl:false}
}
