// Package fakehttp holds test servers the HTTP adapters' tests share.
package fakehttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Hanging returns a server that answers nothing until the request's
// context ends (or the test does): a client's timeout is what ends each
// call. It is closed when the test ends.
func Hanging(tb testing.TB) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	tb.Cleanup(func() { close(release); srv.Close() })
	return srv
}
