// Package errs is the library's side of the errors of package
// helpdesk/problem: the kinds and the validation error under short names,
// the Collector that gathers a request's problems, and the constructors
// that give every message the shape "<kind>: <what>". Users see the types
// of package problem (and their re-exports in package helpdesk); nothing
// exported from a public package mentions this one.
package errs

import (
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/problem"
)

// The error kinds (package problem). Match them with errors.Is.
var (
	ErrNotFound  = problem.ErrNotFound
	ErrConflict  = problem.ErrConflict
	ErrForbidden = problem.ErrForbidden
	ErrInvalid   = problem.ErrInvalid
)

// Problem is one bad field of a request.
type Problem = problem.Problem

// ValidationError lists every bad field of a request.
type ValidationError = problem.ValidationError

// Collector gathers problems; Err returns nil when there are none.
type Collector struct {
	problems []Problem
	failed   error // the first error Merge was given that is no validation error
}

// Add records a problem with field.
func (c *Collector) Add(field, format string, args ...any) {
	c.problems = append(c.problems, Problem{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Has reports whether a problem with field was recorded.
func (c *Collector) Has(field string) bool {
	for _, p := range c.problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Merge records the problems of err, the result of a check that returns a
// *ValidationError or nil. Any other error is kept: Err returns it (the
// first one) instead of the problems.
func (c *Collector) Merge(err error) { c.merge(err, false) }

// MergeNew is Merge without the problems on a field c already has one on:
// a field is reported once, by the first check that found it bad.
func (c *Collector) MergeNew(err error) { c.merge(err, true) }

func (c *Collector) merge(err error, skipSeen bool) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		if c.failed == nil {
			c.failed = err
		}
		return
	}
	n := len(c.problems)
	for _, p := range ve.Problems {
		if skipSeen && c.has(p.Field, n) {
			continue
		}
		c.problems = append(c.problems, p)
	}
}

// has reports whether one of the first n problems is on field.
func (c *Collector) has(field string, n int) bool {
	for _, p := range c.problems[:n] {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Err returns a *ValidationError with every problem, or nil; an error
// Merge kept comes first.
func (c *Collector) Err() error {
	if c.failed != nil {
		return c.failed
	}
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

// NotFound returns an error matching ErrNotFound that names what was missing.
func NotFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
}
