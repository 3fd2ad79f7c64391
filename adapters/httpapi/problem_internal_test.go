package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/helpdesk"
)

// TestAPI1_ProblemStatuses maps each error kind and store failure to its
// status; a failure of unknown kind shows no detail.
func TestAPI1_ProblemStatuses(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		detail string
	}{
		{fmt.Errorf("%w: ticket \"x\"", helpdesk.ErrNotFound), http.StatusNotFound, `not found: ticket "x"`},
		{fmt.Errorf("%w: no", helpdesk.ErrForbidden), http.StatusForbidden, "forbidden: no"},
		{fmt.Errorf("%w: stale", helpdesk.ErrConflict), http.StatusConflict, "conflict: stale"},
		{&helpdesk.ValidationError{Problems: []helpdesk.Problem{{Field: "a", Reason: "b"}}}, http.StatusUnprocessableEntity, "invalid: a: b"},
		{errors.Join(helpdesk.ErrUnknownOutcome, errors.New("commit")), http.StatusServiceUnavailable, "unknown outcome\ncommit"},
		{fmt.Errorf("%w: db down", helpdesk.ErrUnavailable), http.StatusServiceUnavailable, "unavailable: db down"},
		{fmt.Errorf("%w: slow", helpdesk.ErrTimeout), http.StatusServiceUnavailable, "timeout: slow"},
		{context.DeadlineExceeded, http.StatusServiceUnavailable, "context deadline exceeded"},
		{errors.New("pq: relation tickets does not exist"), http.StatusInternalServerError, "internal error"},
	} {
		p := problemOf(c.err)
		assert.Equal(t, c.status, p.Status, "%v", c.err)
		assert.Equal(t, c.detail, p.Detail)
		assert.Equal(t, "urn:deskkit:problem:"+p.Title, p.Type)
		assert.NotEmpty(t, p.Title)
	}
}
