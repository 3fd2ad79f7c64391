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

// subKind is a sentinel that matches a kind, as field.ErrDuplicateKey does.
var subKind = New(ErrConflict, "field key is taken")

func TestNew_KindFirst(t *testing.T) {
	err := New(ErrConflict, "ticket %q is at version %d, not %d", "t1", 3, 2)
	assert.EqualError(t, err, `conflict: ticket "t1" is at version 3, not 2`)
	assert.ErrorIs(t, err, ErrConflict)

	assert.EqualError(t, NotFound("ticket", "t1"), `not found: ticket "t1"`)
	assert.ErrorIs(t, NotFound("ticket", "t1"), ErrNotFound)

	assert.EqualError(t, subKind, "conflict: field key is taken")
	err = New(subKind, "the key %q is taken by another field", "size")
	assert.EqualError(t, err, `conflict: the key "size" is taken by another field`, "the kind's name, not the sentinel's text, leads")
	assert.ErrorIs(t, err, subKind)
	assert.ErrorIs(t, err, ErrConflict)
}

func TestDetailAndName(t *testing.T) {
	err := New(ErrInvalid, "illegal status transition closed → open")
	assert.Equal(t, "invalid", Name(err))
	assert.Equal(t, "illegal status transition closed → open", Detail(err))
	plain := errors.New("connection reset")
	assert.Equal(t, "connection reset", Name(plain))
	assert.Equal(t, "connection reset", Detail(plain))
	ve := &ValidationError{Problems: []Problem{{Field: "title", Reason: "is required"}}}
	assert.Equal(t, "title: is required", Detail(ve))
}

func TestWrap(t *testing.T) {
	assert.NoError(t, Wrap(nil, "directory"))
	err := Wrap(NotFound("member", "kim"), "directory")
	assert.EqualError(t, err, `not found: directory: member "kim"`, "the kind stays first")
	assert.ErrorIs(t, err, ErrNotFound)

	broken := errors.New("connection reset")
	err = Wrap(broken, "list services")
	assert.EqualError(t, err, "list services: connection reset")
	assert.ErrorIs(t, err, broken)
}

func TestWith_OneMessage(t *testing.T) {
	assert.NoError(t, With(nil, errors.New("x")))
	ve := &ValidationError{Problems: []Problem{{Field: "content", Reason: `code "x" at byte 3: unknown code`}}}
	detail := &detailError{}
	err := With(ve, detail)
	assert.EqualError(t, err, `invalid: content: code "x" at byte 3: unknown code`, "the message is the first error's only")
	var gotVE *ValidationError
	require.ErrorAs(t, err, &gotVE)
	var gotDetail *detailError
	require.ErrorAs(t, err, &gotDetail)
	assert.ErrorIs(t, err, ErrInvalid)
}

type detailError struct{}

func (*detailError) Error() string { return "invalid: the same problem, told again" }
