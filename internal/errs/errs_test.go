package errs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollector_Merge(t *testing.T) {
	var c Collector
	require.NoError(t, c.Err())
	c.Add("title", "is required")
	c.Merge(nil)
	c.Merge(&ValidationError{Problems: []Problem{{Field: "title", Reason: "is too long"}, {Field: "body", Reason: "is required"}}})
	assert.EqualError(t, c.Err(), "invalid: title: is required; title: is too long; body: is required")

	c = Collector{}
	c.Add("title", "is required")
	c.MergeNew(&ValidationError{Problems: []Problem{{Field: "title", Reason: "is too long"}, {Field: "body", Reason: "is required"}, {Field: "body", Reason: "is blank"}}})
	assert.EqualError(t, c.Err(), "invalid: title: is required; body: is required; body: is blank",
		"a field c had is skipped, the merged error's own problems are kept")
}

func TestCollector_MergeKeepsOtherErrors(t *testing.T) {
	var c Collector
	broken := errors.New("connection reset")
	c.Add("title", "is required")
	c.Merge(fmt.Errorf("read schema: %w", broken))
	c.Merge(errors.New("later"))
	assert.ErrorIs(t, c.Err(), broken, "a failure is not lost among the problems")
	assert.NotErrorIs(t, c.Err(), ErrInvalid)
}
