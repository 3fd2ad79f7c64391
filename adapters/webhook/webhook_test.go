package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/internal/fakehttp"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/notify"
)

var (
	now      = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	loopback = webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
)

func newCaller(g webhook.Guard, secrets ...string) *webhook.Caller {
	return webhook.New(webhook.Options{Guard: g, Clock: func() time.Time { return now },
		Secrets: func(_ context.Context, id string) ([]string, error) {
			if id != "acme" {
				return nil, nil
			}
			return secrets, nil
		}})
}

func msg(url string) notify.Message {
	return notify.Message{ID: "m1", ServiceID: "acme", Medium: notify.Callback, Recipient: url,
		Payload: notify.Payload{JSON: `{"id":"t1","number":12,"title":"환불"}`}, IdempotencyKey: "v3:trg:0:abc"}
}

// TRG-6.4, SEC-2: one POST with the JSON, the idempotency key and a
// signature over timestamp and body.
func TestCall_TRG64_SignedPost(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/hooks/deskkit?x=1", r.URL.RequestURI())
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "v3:trg:0:abc", r.Header.Get("Idempotency-Key"))
		assert.Equal(t, "1796644800", r.Header.Get("X-Deskkit-Timestamp"))
		assert.Equal(t, `{"id":"t1","number":12,"title":"환불"}`, string(b))
		assert.NoError(t, webhook.Verify([]string{"s3cret"}, r.Header, b, now, 5*time.Minute))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	require.NoError(t, newCaller(loopback, "s3cret").Call(context.Background(), msg(srv.URL+"/hooks/deskkit?x=1")))
	assert.EqualValues(t, 1, calls.Load())
}

// SEC-2: during a rotation both secrets sign; a receiver with either
// accepts; a stale timestamp, a changed body or another secret fail.
func TestVerify_SEC2_Rotation(t *testing.T) {
	body := []byte(`{"a":1}`)
	h := http.Header{}
	h.Set(webhook.HeaderTimestamp, "1796644800")
	h.Set(webhook.HeaderSignature, webhook.Sign([]string{"new", "old"}, "1796644800", body))
	assert.NoError(t, webhook.Verify([]string{"old"}, h, body, now, time.Minute), "a receiver not yet rotated")
	assert.NoError(t, webhook.Verify([]string{"new"}, h, body, now, time.Minute), "a rotated receiver")
	assert.NoError(t, webhook.Verify([]string{"new", "old"}, h, body, now, time.Minute), "a receiver in rotation")
	assert.ErrorIs(t, webhook.Verify([]string{"other"}, h, body, now, time.Minute), webhook.ErrBadSignature)
	assert.ErrorIs(t, webhook.Verify([]string{"old"}, h, []byte(`{"a":2}`), now, time.Minute), webhook.ErrBadSignature)
	assert.ErrorIs(t, webhook.Verify([]string{"old"}, h, body, now.Add(2*time.Minute), time.Minute), webhook.ErrBadSignature, "replayed later")
	h.Set(webhook.HeaderSignature, webhook.Sign([]string{"old"}, "1796644801", body))
	assert.ErrorIs(t, webhook.Verify([]string{"old"}, h, body, now, time.Minute), webhook.ErrBadSignature, "signed for another timestamp")
	h.Del(webhook.HeaderTimestamp)
	assert.ErrorIs(t, webhook.Verify([]string{"old"}, h, body, now, time.Minute), webhook.ErrBadSignature)
}

// SEC-2: the guard's table — IPv4, IPv6, IPv4-mapped IPv6, numeric forms.
// These are checked before any connection: no packet leaves.
func TestGuard_SEC2_Table(t *testing.T) {
	for _, tc := range []struct {
		url     string
		allowed bool
	}{
		{"https://93.184.216.34/hook", true},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]/hook", true},
		{"https://hooks.example.com/x", true}, // a name: checked again at connect time
		{"http://127.0.0.1/", false},
		{"http://127.8.9.10:8080/", false},
		{"http://[::1]/", false},
		{"http://[::ffff:127.0.0.1]/", false},
		{"http://[::ffff:7f00:1]/", false},
		{"http://[::ffff:10.1.2.3]/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://[fe80::1]/", false},
		{"http://10.0.0.1/", false},
		{"http://172.16.5.4/", false},
		{"http://172.31.255.255/", false},
		{"http://192.168.0.1/", false},
		{"http://100.64.0.1/", false},
		{"http://0.0.0.0/", false},
		{"http://[::]/", false},
		{"http://[fc00::1]/", false},
		{"http://[fd12:3456::1]/", false},
		{"http://[64:ff9b::a00:1]/", false},
		{"http://[2002:a00:1::]/", false},
		{"http://224.0.0.1/", false},
		{"http://255.255.255.255/", false},
		{"http://2130706433/", false},   // decimal 127.0.0.1
		{"http://0177.0.0.1/", false},   // octal
		{"http://0x7f.0.0.1/", false},   // hex
		{"http://0x7f000001/", false},   // hex whole
		{"http://127.1/", false},        // short form
		{"http://017700000001/", false}, // octal whole
		{"ftp://93.184.216.34/", false},
		{"file:///etc/passwd", false},
		{"http://user:pw@93.184.216.34/", false},
	} {
		err := webhook.Guard{}.CheckURL(tc.url)
		if tc.allowed {
			assert.NoError(t, err, tc.url)
		} else {
			assert.Error(t, err, tc.url)
		}
	}
	assert.NoError(t, loopback.CheckURL("http://127.0.0.1:8080/"), "allow-listed")
	assert.NoError(t, loopback.CheckURL("http://[::ffff:127.0.0.1]/"), "the mapped form of an allow-listed address")
	assert.Error(t, loopback.CheckURL("http://127.0.0.2/"), "outside the allow-list")
	assert.Error(t, loopback.CheckURL("http://[::1]/"), "IPv6 loopback is not in the IPv4 allow-list")
}

// SEC-2: refused targets are never contacted, and the refusal is
// permanent; a name resolving to a private address is refused at connect
// time, as is a redirect to a blocked address.
func TestCall_SEC2_RefusedTargets(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-private":
			http.Redirect(w, r, "http://10.0.0.1/", http.StatusTemporaryRedirect)
		case "/to-ipv6-loopback":
			http.Redirect(w, r, "http://[::1]:"+strings.Split(r.Host, ":")[1]+"/ok", http.StatusFound)
		case "/to-decimal":
			http.Redirect(w, r, "http://2130706433:"+strings.Split(r.Host, ":")[1]+"/ok", http.StatusFound)
		case "/to-ftp":
			http.Redirect(w, r, "ftp://example.com/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/to-ok":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	port := strings.Split(srv.Listener.Addr().String(), ":")[1]
	ctx := context.Background()

	// The test server itself, without the allow-list: refused.
	err := newCaller(webhook.Guard{}, "s").Call(ctx, msg(srv.URL))
	assert.ErrorIs(t, err, webhook.ErrBlocked)
	assert.True(t, notify.IsPermanent(err))
	// A DNS name that resolves to loopback: refused when connecting.
	err = newCaller(webhook.Guard{}, "s").Call(ctx, msg("http://localhost:"+port+"/ok"))
	assert.ErrorIs(t, err, webhook.ErrBlocked)
	assert.True(t, notify.IsPermanent(err))
	assert.Zero(t, hits.Load(), "nothing reached the server")

	c := newCaller(loopback, "s")
	require.NoError(t, c.Call(ctx, msg(srv.URL+"/to-ok")), "an allowed redirect")
	for _, path := range []string{"/to-metadata", "/to-private", "/to-ipv6-loopback", "/to-decimal", "/to-ftp", "/loop"} {
		hits.Store(0)
		err := c.Call(ctx, msg(srv.URL+path))
		require.Error(t, err, path)
		assert.True(t, notify.IsPermanent(err), "%s: %v", path, err)
		if path != "/loop" {
			assert.EqualValues(t, 1, hits.Load(), "%s: only the first hop was reached", path)
		}
	}
}

// NTF-1: answers classified for the Dispatcher's retry.
func TestCall_NTF1_Classification(t *testing.T) {
	for _, tc := range []struct {
		status    int
		ok        bool
		permanent bool
	}{
		{200, true, false}, {202, true, false}, {204, true, false},
		{400, false, true}, {401, false, true}, {403, false, true}, {404, false, true}, {410, false, true}, {422, false, true},
		{408, false, false}, {425, false, false}, {429, false, false}, {500, false, false}, {502, false, false}, {503, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, strings.Repeat("x", 1<<20)) // more than the answer limit
		}))
		err := newCaller(loopback, "s").Call(context.Background(), msg(srv.URL))
		srv.Close()
		if tc.ok {
			assert.NoError(t, err, tc.status)
			continue
		}
		var se *webhook.StatusError
		require.ErrorAs(t, err, &se, tc.status)
		assert.Equal(t, tc.status, se.Status)
		assert.LessOrEqual(t, len(se.Body), 210, "the answer read is bounded")
		assert.Equal(t, tc.permanent, notify.IsPermanent(err), "%d", tc.status)
	}
}

func TestCall_NTF1_TimeoutIsTemporary(t *testing.T) {
	srv := fakehttp.Hanging(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := newCaller(loopback, "s").Call(ctx, msg(srv.URL+"/secret-token"))
	require.Error(t, err)
	assert.False(t, notify.IsPermanent(err))
	assert.NotContains(t, err.Error(), "secret-token", "SEC-1: the URL stays out of errors")
}

func TestCall_SEC2_NoSecretIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get(webhook.HeaderSignature))
	}))
	defer srv.Close()
	m := msg(srv.URL)
	m.ServiceID = "other"
	err := newCaller(loopback, "s").Call(context.Background(), m)
	assert.ErrorIs(t, err, webhook.ErrNoSecret)
	assert.True(t, notify.IsPermanent(err))
	c := webhook.New(webhook.Options{Guard: loopback, AllowUnsigned: true})
	assert.NoError(t, c.Call(context.Background(), m), "unsigned when allowed")
}
