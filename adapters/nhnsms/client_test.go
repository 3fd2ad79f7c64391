package nhnsms_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/internal/fakehttp"
	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/notify"
)

const okAnswer = `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},
 "body":{"data":{"requestId":"20180810100630ReZQ6KZzAH0","statusCode":"2","senderGroupingKey":null,
  "sendResultList":[{"recipientNo":"01000000000","resultCode":0,"resultMessage":"SUCCESS","recipientSeq":1,"recipientGroupingKey":null}]}}}`

// fake is an NHN Cloud SMS server that checks one expected call.
type fake struct {
	t      *testing.T
	method string
	path   string
	body   string // exact JSON; "" for none
	status int
	answer string
	calls  atomic.Int32
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	b, _ := io.ReadAll(r.Body)
	assert.Equal(f.t, f.method, r.Method)
	assert.Equal(f.t, f.path, r.URL.RequestURI())
	assert.Equal(f.t, "SECRET", r.Header.Get("X-Secret-Key"))
	if f.body != "" {
		assert.Equal(f.t, "application/json;charset=UTF-8", r.Header.Get("Content-Type"))
		assert.JSONEq(f.t, f.body, string(b))
		assert.Equal(f.t, f.body, string(b), "exact body")
	} else {
		assert.Empty(f.t, b)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, f.answer)
}

func creds() nhnsms.Credentials {
	return nhnsms.Credentials{AppKey: "APPKEY", SecretKey: "SECRET", SenderNumbers: []string{"15446859", "0212345678"}}
}

func newClient(url string) *nhnsms.Client {
	return nhnsms.New(nhnsms.Options{BaseURL: url, Credentials: func(_ context.Context, id string) (nhnsms.Credentials, error) {
		if id != "acme" {
			return nhnsms.Credentials{}, nil
		}
		return creds(), nil
	}})
}

func msg(to, text string) notify.Message {
	return notify.Message{ID: "m1", ServiceID: "acme", Medium: notify.SMS, Recipient: to, Payload: notify.Payload{Text: text}, IdempotencyKey: "k1"}
}

func TestSend_SMS2_ShortTextIsSMS(t *testing.T) {
	f := &fake{t: t, method: "POST", path: "/sms/v3.0/appKeys/APPKEY/sender/sms",
		body:   `{"body":"접수되었습니다 #12","sendNo":"15446859","recipientList":[{"recipientNo":"01012345678"}]}`,
		status: 200, answer: okAnswer}
	srv := httptest.NewServer(f)
	defer srv.Close()
	require.NoError(t, newClient(srv.URL).SendSMS(context.Background(), msg("010-1234-5678", "접수되었습니다 #12")))
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestSend_SMS2_LongTextIsLMSWithTitle(t *testing.T) {
	text := "안녕하세요 고객님\n" + strings.Repeat("가", 50) // 18 + 100 bytes
	f := &fake{t: t, method: "POST", path: "/sms/v3.0/appKeys/APPKEY/sender/mms",
		body:   `{"title":"안녕하세요 고객님","body":"` + strings.ReplaceAll(text, "\n", `\n`) + `","sendNo":"0212345678","recipientList":[{"recipientNo":"01012345678"}]}`,
		status: 200, answer: okAnswer}
	srv := httptest.NewServer(f)
	defer srv.Close()
	m := msg("+82 10 1234 5678", text)
	m.Payload.From.Address = "0212345678"
	require.NoError(t, newClient(srv.URL).SendSMS(context.Background(), m))
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestSend_SMS2_TitleCutTo40Bytes(t *testing.T) {
	title := strings.Repeat("제", 25) // 50 bytes: cut to 20 characters
	f := &fake{t: t, method: "POST", path: "/sms/v3.0/appKeys/APPKEY/sender/mms",
		body:   `{"title":"` + strings.Repeat("제", 20) + `","body":"` + strings.Repeat("a", 91) + `","sendNo":"15446859","recipientList":[{"recipientNo":"01012345678"}]}`,
		status: 200, answer: okAnswer}
	srv := httptest.NewServer(f)
	defer srv.Close()
	sent, err := newClient(srv.URL).Send(context.Background(), creds(), "15446859", "01012345678", title, strings.Repeat("a", 91))
	require.NoError(t, err)
	assert.True(t, sent.LMS)
	assert.Equal(t, "20180810100630ReZQ6KZzAH0", sent.RequestID)
}

// Refusals come before any call: nothing reaches the server, and each is
// permanent.
func TestSend_SMS2_RefusedBeforeAnyCall(t *testing.T) {
	f := &fake{t: t, status: 200, answer: okAnswer}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := newClient(srv.URL)
	ctx := context.Background()

	err := c.SendSMS(ctx, msg("01012345678", "접수 😀"))
	var ee *nhnsms.EncodingError
	require.ErrorAs(t, err, &ee, "an emoji")
	assert.Equal(t, '😀', ee.Char)
	assert.True(t, notify.IsPermanent(err))

	err = c.SendSMS(ctx, msg("01012345678", strings.Repeat("가", 1001)))
	assert.ErrorIs(t, err, nhnsms.ErrTooLong, "2,002 bytes: not cut, not split")
	assert.True(t, notify.IsPermanent(err))

	m := msg("01012345678", "hi")
	m.Payload.From.Address = "0299999999"
	err = c.SendSMS(ctx, m)
	assert.ErrorIs(t, err, nhnsms.ErrUnregisteredSender, "SMS-1: a number the service does not use")
	assert.True(t, notify.IsPermanent(err))

	err = c.SendSMS(ctx, msg("+1 555 0100", "hi"))
	assert.True(t, notify.IsPermanent(err), "abroad: %v", err)
	err = c.SendSMS(ctx, msg("call me", "hi"))
	assert.True(t, notify.IsPermanent(err), "not a number: %v", err)

	m = msg("01012345678", "hi")
	m.ServiceID = "other"
	err = c.SendSMS(ctx, m)
	assert.ErrorIs(t, err, nhnsms.ErrNotConfigured)
	assert.True(t, notify.IsPermanent(err))

	assert.Zero(t, f.calls.Load(), "no call was made")
}

func TestEUCKRLen_SMS2(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		fail bool
	}{
		{"abc", 3, false}, {"가나", 4, false}, {"", 0, false}, {"a😀", 0, true}, {"€", 2, false}, {"\u00e9", 0, true},
	} {
		n, err := nhnsms.EUCKRLen(tc.in)
		if tc.fail {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.n, n, tc.in)
	}
}

// The answer decides, not the HTTP status alone; failures are classified
// for the Dispatcher's retry (NTF-1).
func TestSend_NTF1_FailuresClassified(t *testing.T) {
	env := func(ok bool, code int, msg string) string {
		okS := "false"
		if ok {
			okS = "true"
		}
		return `{"header":{"isSuccessful":` + okS + `,"resultCode":` + itoa(code) + `,"resultMessage":"` + msg + `"},"body":null}`
	}
	for _, tc := range []struct {
		name      string
		status    int
		answer    string
		permanent bool
		code      int
	}{
		{"invalid_appkey_at_200", 200, env(false, -1000, "Invalid appKey"), true, -1000},
		{"unregistered_sender_at_200", 200, env(false, -2312, "sendNo not registered"), true, -2312},
		{"blocked_sender_at_200", 200, env(false, -2313, "blocked"), true, -2313},
		{"monthly_limit_at_200", 200, env(false, -2052, "limit"), true, -2052},
		{"system_error_at_200", 200, env(false, -9999, "System error"), false, -9999},
		{"queue_insert_at_200", 200, env(false, -2021, "queue"), false, -2021},
		{"recipient_failed", 200, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"r","statusCode":"2","sendResultList":[{"recipientNo":"01012345678","resultCode":-6001,"resultMessage":"080 rejected"}]}}}`, true, -6001},
		{"bad_request_400", 400, env(false, 4, "Parameter validation"), true, 4},
		{"unauthorized_401_no_envelope", 401, `Unauthorized`, true, 0},
		{"server_error_500", 500, env(false, -9999, "System error"), false, -9999},
		{"bad_gateway_502_html", 502, `<html>bad gateway</html>`, false, 0},
		{"too_many_429", 429, `{"message":"slow down"}`, false, 0},
		{"html_at_200", 200, `<html>proxy</html>`, false, 0},
		{"success_flag_false_code_0", 200, env(false, 0, "odd"), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{t: t, method: "POST", path: "/sms/v3.0/appKeys/APPKEY/sender/sms",
				body:   `{"body":"hi","sendNo":"15446859","recipientList":[{"recipientNo":"01012345678"}]}`,
				status: tc.status, answer: tc.answer}
			srv := httptest.NewServer(f)
			defer srv.Close()
			err := newClient(srv.URL).SendSMS(context.Background(), msg("01012345678", "hi"))
			require.Error(t, err)
			assert.Equal(t, tc.permanent, notify.IsPermanent(err), "permanent: %v", err)
			var ae *nhnsms.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, tc.status, ae.Status)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), "APPKEY")
			assert.EqualValues(t, 1, f.calls.Load())
		})
	}
}

// A call that does not answer in time is a temporary error: retried.
func TestSend_NTF1_TimeoutIsTemporary(t *testing.T) {
	srv := fakehttp.Hanging(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := newClient(srv.URL).SendSMS(ctx, msg("01012345678", "hi"))
	require.Error(t, err)
	assert.False(t, notify.IsPermanent(err))
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.NotContains(t, err.Error(), "APPKEY")
}

func TestTemporary_NTF1_Table(t *testing.T) {
	for _, tc := range []struct {
		status, code int
		temporary    bool
	}{
		{200, -9999, true}, {200, -2021, true}, {200, -1000, false}, {200, 4, false},
		{400, 4, false}, {401, 0, false}, {403, 0, false}, {404, 0, false},
		{408, 0, true}, {429, 0, true}, {500, 0, true}, {503, -2312, true},
	} {
		assert.Equal(t, tc.temporary, nhnsms.Temporary(tc.status, tc.code), "%d/%d", tc.status, tc.code)
	}
}

// SMS-1: the usable numbers are those in use and not blocked; every page
// is read.
func TestSenderNumbers_SMS1(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/sms/v3.0/appKeys/APPKEY/sendNos", r.URL.Path)
		assert.Equal(t, "SECRET", r.Header.Get("X-Secret-Key"))
		assert.Equal(t, "100", r.URL.Query().Get("pageSize"))
		if r.URL.Query().Get("pageNum") == "1" {
			var b strings.Builder
			b.WriteString(`{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"pageNum":1,"pageSize":100,"totalCount":103,"data":[`)
			for i := range 100 {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"appKey":null,"serviceId":71191,"sendNo":"0100000` + pad(i) + `","useYn":"N","blockYn":"N"}`)
			}
			b.WriteString(`]}}`)
			_, _ = io.WriteString(w, b.String())
			return
		}
		assert.Equal(t, "2", r.URL.Query().Get("pageNum"))
		_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"pageNum":2,"pageSize":100,"totalCount":103,"data":[
			{"appKey":null,"serviceId":71191,"sendNo":"01012341234","useYn":"Y","blockYn":"N","blockReason":null,"createDate":"2023-07-18 12:05:35"},
			{"sendNo":"0212345678","useYn":"Y","blockYn":"Y","blockReason":"spam"},
			{"sendNo":"15446859","useYn":"Y","blockYn":"N"}]}}`)
	}))
	defer srv.Close()
	got, err := newClient(srv.URL).SenderNumbers(context.Background(), "APPKEY", "SECRET")
	require.NoError(t, err)
	assert.Equal(t, []string{"01012341234", "15446859"}, got)
	assert.EqualValues(t, 2, calls.Load())
}

func TestSenderNumbers_SMS1_BadKeyIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"header":{"isSuccessful":false,"resultCode":-1000,"resultMessage":"Invalid appKey"},"body":null}`)
	}))
	defer srv.Close()
	_, err := newClient(srv.URL).SenderNumbers(context.Background(), "APPKEY", "SECRET")
	var ae *nhnsms.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, -1000, ae.Code)
}

func itoa(i int) string { return strconv.Itoa(i) }

func pad(i int) string { return fmt.Sprintf("%04d", i) }
