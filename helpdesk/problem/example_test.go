package problem_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/problem"
)

// A validation error names every bad field; errors.Is matches its kind and
// errors.As reaches the fields.
func ExampleValidationError() {
	var err error = &problem.ValidationError{Problems: []problem.Problem{
		{Field: "title", Reason: "is required"},
		{Field: "customer_fields.size", Reason: `"xl" is not one of the options ["s" "m"]`},
	}}
	fmt.Println(err)
	fmt.Println(errors.Is(err, problem.ErrInvalid))
	var ve *problem.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Has("title"), ve.Has("content"))
	}
	// Output:
	// invalid: title: is required; customer_fields.size: "xl" is not one of the options ["s" "m"]
	// true
	// true false
}
