package dooray_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

const okHeader = `"header":{"isSuccessful":true,"resultCode":0,"resultMessage":""}`

// call is one expected request and its answer.
type call struct {
	method, uri, body string // body: exact JSON, "" for none
	status            int
	answer            string
	headers           map[string]string
}

// api is a fake Dooray! API that expects calls in order.
func api(t *testing.T, calls ...call) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if !assert.Less(t, i, len(calls), "unexpected call %s %s", r.Method, r.URL) {
			return
		}
		c := calls[i]
		b, _ := io.ReadAll(r.Body)
		assert.Equal(t, c.method, r.Method)
		assert.Equal(t, c.uri, r.URL.RequestURI())
		assert.Equal(t, "dooray-api TOKEN", r.Header.Get("Authorization"))
		if c.body != "" {
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, c.body, string(b))
		} else {
			assert.Empty(t, b)
		}
		for k, v := range c.headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(c.status)
		_, _ = io.WriteString(w, c.answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestID_DRY2_StringsAndBareNumbersWithoutLoss(t *testing.T) {
	var v struct{ A, B, C dooray.ID }
	require.NoError(t, json.Unmarshal([]byte(`{"A":"3118892665733691672","B":4006824347670772680,"C":null}`), &v))
	assert.Equal(t, dooray.ID("3118892665733691672"), v.A)
	assert.Equal(t, dooray.ID("4006824347670772680"), v.B, "above 2^53: no float64 on the way")
	assert.Empty(t, v.C)
	assert.Error(t, json.Unmarshal([]byte(`{"A":1.5}`), &v))
	assert.Error(t, json.Unmarshal([]byte(`{"A":-1}`), &v))
}

// DRY-2: the agent is a project member: the task is theirs.
func TestTasks_DRY2_AgentIsMember(t *testing.T) {
	srv, n := api(t,
		call{method: "GET", uri: "/common/v1/members?externalEmailAddresses=kim%40acme.example&page=0&size=1", status: 200,
			answer: `{` + okHeader + `,"result":[{"id":3118892665733691672,"name":"Kim","externalEmailAddress":"kim@acme.example"}],"totalCount":1}`},
		call{method: "GET", uri: "/project/v1/projects/4006824347670772680/members/3118892665733691672", status: 200,
			answer: `{` + okHeader + `,"result":{"organizationMemberId":"3118892665733691672","role":"member"}}`},
		call{method: "POST", uri: "/project/v1/projects/4006824347670772680/posts", status: 200,
			body:   `{"users":{"to":[{"type":"member","member":{"organizationMemberId":"3118892665733691672"}}]},"subject":"[#12] 환불","body":{"mimeType":"text/x-markdown","content":"**Requester:** Lee\n\n본문"},"priority":"none"}`,
			answer: `{` + okHeader + `,"result":{"id":"4006824347670772999"}}`},
	)
	tasks := dooray.Tasks{Client: dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL})}
	id, err := tasks.CreateTask(context.Background(), helpdesk.DoorayTask{Token: "TOKEN", ProjectID: "4006824347670772680",
		Subject: "[#12] 환불", Markdown: "**Requester:** Lee\n\n본문", AgentEmail: "kim@acme.example", RegistrantEmail: "lead@acme.example"})
	require.NoError(t, err)
	assert.Equal(t, "4006824347670772999", id)
	assert.EqualValues(t, 3, n.Load())
}

// DRY-2: the agent is not in the project: the representative registrant
// gets the task.
func TestTasks_DRY2_NonMemberFallsBackToRegistrant(t *testing.T) {
	srv, _ := api(t,
		call{method: "GET", uri: "/common/v1/members?externalEmailAddresses=kim%40acme.example&page=0&size=1", status: 200,
			answer: `{` + okHeader + `,"result":[{"id":"11"}],"totalCount":1}`},
		call{method: "GET", uri: "/project/v1/projects/7/members/11", status: 404,
			answer: `{"header":{"isSuccessful":false,"resultCode":-100404,"resultMessage":"not found"},"result":null}`},
		call{method: "GET", uri: "/common/v1/members?externalEmailAddresses=lead%40acme.example&page=0&size=1", status: 200,
			answer: `{` + okHeader + `,"result":[{"id":"22"}],"totalCount":1}`},
		call{method: "POST", uri: "/project/v1/projects/7/posts", status: 200,
			body:   `{"users":{"to":[{"type":"member","member":{"organizationMemberId":"22"}}]},"subject":"s","body":{"mimeType":"text/x-markdown","content":"b"},"priority":"none"}`,
			answer: `{` + okHeader + `,"result":{"id":99}}`},
	)
	tasks := dooray.Tasks{Client: dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL})}
	id, err := tasks.CreateTask(context.Background(), helpdesk.DoorayTask{Token: "TOKEN", ProjectID: "7", Subject: "s", Markdown: "b",
		AgentEmail: "kim@acme.example", RegistrantEmail: "lead@acme.example"})
	require.NoError(t, err)
	assert.Equal(t, "99", id)
}

// 429 is waited out as the answer asks and tried again; the rate-limit
// headers are read.
func TestClient_DRY2_RateLimit429(t *testing.T) {
	limited := map[string]string{"Retry-After": "2", "X-RateLimit-Remaining": "0", "X-RateLimit-Burst-Capacity": "10", "X-RateLimit-Replenish-Rate": "5"}
	body := `{"body":{"mimeType":"text/x-markdown","content":"hi"}}`
	srv, n := api(t,
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 429, headers: limited},
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 429, headers: map[string]string{"X-RateLimit-Remaining": "0"}},
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 200, answer: `{` + okHeader + `,"result":{"id":"5"}}`},
	)
	var waits []time.Duration
	c := dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL, Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }})
	id, err := c.AddComment(context.Background(), "TOKEN", "7", "8", "hi")
	require.NoError(t, err)
	assert.Equal(t, dooray.ID("5"), id)
	assert.Equal(t, []time.Duration{2 * time.Second, time.Second}, waits, "Retry-After, then the bucket's one-second refill")
	assert.EqualValues(t, 3, n.Load())

	// Still limited after the retries: a temporary error carrying the wait.
	srv, _ = api(t,
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 429, headers: limited},
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 429, headers: limited},
		call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: 429, headers: limited},
	)
	c = dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL, Sleep: func(context.Context, time.Duration) error { return nil }})
	_, err = c.AddComment(context.Background(), "TOKEN", "7", "8", "hi")
	var ae *dooray.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 429, ae.Status)
	assert.Equal(t, 2*time.Second, ae.RetryAfter)
	assert.Equal(t, 0, ae.RateLimit.Remaining)
	assert.Equal(t, 10, ae.RateLimit.Burst)
	assert.False(t, notify.IsPermanent(err))
}

// The status and header.isSuccessful decide; failures are classified.
func TestClient_NTF1_Failures(t *testing.T) {
	body := `{"body":{"mimeType":"text/x-markdown","content":"hi"}}`
	for _, tc := range []struct {
		name      string
		status    int
		answer    string
		permanent bool
	}{
		{"api_failure_at_200", 200, `{"header":{"isSuccessful":false,"resultCode":-1,"resultMessage":"no"},"result":null}`, true},
		{"html_at_200", 200, `<html/>`, false},
		{"unauthorized_401", 401, `{"header":{"isSuccessful":false,"resultCode":-401,"resultMessage":"bad token"}}`, true},
		{"forbidden_403", 403, ``, true},
		{"not_found_404", 404, ``, true},
		{"server_500", 500, `{"header":{"isSuccessful":false,"resultCode":-500,"resultMessage":"oops"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := api(t, call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", body: body, status: tc.status, answer: tc.answer})
			_, err := dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL}).AddComment(context.Background(), "TOKEN", "7", "8", "hi")
			var ae *dooray.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.Status)
			assert.Equal(t, tc.permanent, notify.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), "TOKEN")
		})
	}
}

// DRY-2: the notifier sends task comments to the task with the service's
// token and everything else to the hook.
func TestNotifier_DRY2_RoutesTaskComments(t *testing.T) {
	srv, n := api(t, call{method: "POST", uri: "/project/v1/projects/7/posts/8/logs", status: 200,
		body:   `{"body":{"mimeType":"text/x-markdown","content":"**Agent:**\n\nhello"}}`,
		answer: `{` + okHeader + `,"result":{"id":"5"}}`})
	nt := dooray.Notifier{Client: dooray.NewClient(dooray.ClientOptions{BaseURL: srv.URL}),
		Token: func(_ context.Context, id string) (string, error) {
			if id == "acme" {
				return "TOKEN", nil
			}
			return "", nil
		}}
	m := notify.Message{ServiceID: "acme", Medium: notify.Dooray, Recipient: helpdesk.DoorayTaskRecipient + "7/8", Payload: notify.Payload{Text: "**Agent:**\n\nhello"}}
	require.NoError(t, nt.PostDooray(context.Background(), m))
	assert.EqualValues(t, 1, n.Load())
	m.ServiceID = "paused"
	err := nt.PostDooray(context.Background(), m)
	assert.True(t, notify.IsPermanent(err), "DRY-3: paused")
	assert.EqualValues(t, 1, n.Load())
}
