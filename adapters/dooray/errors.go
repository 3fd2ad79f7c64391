package dooray

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// APIError is an answer of Dooray! that is not a success.
type APIError struct {
	Status  int    // the HTTP status
	Code    int    // header.resultCode, when the answer had the envelope
	Message string // header.resultMessage, or the start of the answer
	// RetryAfter is how long the rate limiter asks to wait (HTTP 429:
	// Retry-After, or a second when the bucket refills every second);
	// zero when it said nothing.
	RetryAfter time.Duration
	// RateLimit is what the rate-limit headers of the answer said.
	RateLimit RateLimit
}

func (e *APIError) Error() string {
	return fmt.Sprintf("dooray: HTTP %d, result code %d: %s", e.Status, e.Code, e.Message)
}

// Temporary reports whether trying again may succeed: 408, 429 and 5xx.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// asAPIError is errors.As for an *APIError.
func asAPIError(err error, ae **APIError) bool { return errors.As(err, ae) }
