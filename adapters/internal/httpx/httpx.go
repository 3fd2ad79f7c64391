// Package httpx holds the small helpers the HTTP adapters (nhnsms,
// dooray, webhook) share: how much of an answer goes into an error, and
// keeping URLs — whose paths may hold tokens — out of error messages
// (SEC-1).
package httpx

import (
	"errors"
	"net/url"
	"strings"
)

// Snippet is the start of an answer body for an error message: at most
// 200 bytes, valid UTF-8, "…" when cut.
func Snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// WithoutURL returns the error an *url.Error wraps, dropping the URL
// (with its tokens) from the message; other errors are returned as they
// are.
func WithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
