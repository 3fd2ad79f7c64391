package dooray_test

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

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/internal/fakehttp"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/notify"
)

var loopback = webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

func hookMsg(url string) notify.Message {
	return notify.Message{ID: "m1", ServiceID: "acme", Medium: notify.Dooray, Recipient: url,
		Payload: notify.Payload{Text: "새 티켓 #12: 환불 요청 (김고객)"}, IdempotencyKey: "k"}
}

// DRY-4, TRG-6.5: one POST of the documented JSON to the hook URL.
func TestHook_DRY4_Posts(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/services/3036349505739914786/3181304653180456720/AbC-dEf_123", r.URL.Path)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, `{"botName":"Helpdesk","botIconImage":"https://static.dooray.com/static_images/dooray-bot.png","text":"새 티켓 #12: 환불 요청 (김고객)"}`, string(b))
	}))
	defer srv.Close()
	p := dooray.NewHookPoster(dooray.HookOptions{BotName: "Helpdesk", BotIconImage: "https://static.dooray.com/static_images/dooray-bot.png", Guard: loopback})
	require.NoError(t, p.PostDooray(context.Background(), hookMsg(srv.URL+"/services/3036349505739914786/3181304653180456720/AbC-dEf_123")))
	assert.EqualValues(t, 1, calls.Load())
}

func TestHook_DRY4_SubjectAndLinkBecomeAnAttachment(t *testing.T) {
	p := dooray.NewHookPoster(dooray.HookOptions{})
	m := hookMsg("https://hook.dooray.com/services/1/2/x")
	m.Payload.Subject, m.Payload.Link = "Surge", "https://desk.example/tickets"
	h, err := p.Message(m)
	require.NoError(t, err)
	assert.Equal(t, dooray.HookMessage{BotName: "Deskkit", Text: m.Payload.Text,
		Attachments: []dooray.Attachment{{Title: "Surge", TitleLink: "https://desk.example/tickets"}}}, h)
	m.Payload = notify.Payload{JSON: `{"text":"raw","attachments":[{"title":"t","color":"red"}]}`}
	h, err = p.Message(m)
	require.NoError(t, err)
	assert.Equal(t, dooray.HookMessage{BotName: "Deskkit", Text: "raw", Attachments: []dooray.Attachment{{Title: "t", Color: "red"}}}, h)
	m.Payload = notify.Payload{Text: "  "}
	_, err = p.Message(m)
	assert.Error(t, err)
}

// NTF-1: answers classified; the hook URL never shows in an error (SEC-1).
func TestHook_NTF1_Classification(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		answer    string
		ok        bool
		permanent bool
	}{
		{"ok_empty", 200, ``, true, false},
		{"ok_envelope", 200, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":""}}`, true, false},
		{"api_failure_at_200", 200, `{"header":{"isSuccessful":false,"resultCode":-100,"resultMessage":"bad"}}`, false, true},
		{"gone_404", 404, `not found`, false, true},
		{"bad_400", 400, `{"header":{"isSuccessful":false}}`, false, true},
		{"rate_429", 429, ``, false, false},
		{"server_500", 500, ``, false, false},
		{"unavailable_503", 503, `<html/>`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.answer)
			}))
			defer srv.Close()
			err := dooray.NewHookPoster(dooray.HookOptions{Guard: loopback}).PostDooray(context.Background(), hookMsg(srv.URL+"/services/1/2/TOKEN"))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.permanent, notify.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), "TOKEN")
		})
	}
}

func TestHook_SEC2_GuardAndTimeout(t *testing.T) {
	ctx := context.Background()
	err := dooray.NewHookPoster(dooray.HookOptions{}).PostDooray(ctx, hookMsg("http://169.254.169.254/services/1/2/TOKEN"))
	assert.ErrorIs(t, err, webhook.ErrBlocked)
	assert.True(t, notify.IsPermanent(err))
	assert.NotContains(t, err.Error(), "TOKEN")

	srv := fakehttp.Hanging(t)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = dooray.NewHookPoster(dooray.HookOptions{Guard: loopback}).PostDooray(tctx, hookMsg(srv.URL+"/services/1/2/TOKEN"))
	require.Error(t, err)
	assert.False(t, notify.IsPermanent(err))
	assert.False(t, strings.Contains(err.Error(), "TOKEN"))
}
