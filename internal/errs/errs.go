// Package errs holds the error kinds every Deskkit package shares. Users
// match them through the re-exports in package helpdesk (helpdesk.ErrNotFound
// ...); domain packages re-export the ones their ports return.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// The error kinds. Match them with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid")
)

// Problem is one bad field of a request.
type Problem struct {
	Field  string // the field's name as the caller spelled it ("title", "fields.size")
	Reason string // what is wrong, for a person to read
}

// ValidationError lists every bad field of a request, not only the first.
// It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Problems []Problem
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Reason)
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Has reports whether field is among the problems.
func (e *ValidationError) Has(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Collector gathers problems; Err returns nil when there are none.
type Collector struct{ problems []Problem }

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

// Err returns a *ValidationError with every problem, or nil.
func (c *Collector) Err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

// NotFound returns an error matching ErrNotFound that names what was missing.
func NotFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
}
