package dooray_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

type oneTask struct{}

func (oneTask) CreateTask(context.Context, helpdesk.DoorayTask) (string, error) {
	return "4006824347670772680", nil
}

// hookDesk is a desk with a ticket transferred to task 4006824347670772680
// and a project-hook token.
func hookDesk(t *testing.T) (*helpdesk.Desk, ticket.Ticket, string, helpdesk.Store) {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	desk, err := helpdesk.New(helpdesk.Config{Store: store, DoorayTasks: oneTask{}, Clock: func() time.Time { now = now.Add(time.Second); return now }})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{Name: "ACME", Languages: []string{"ko"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	adm, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@acme.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	admin := desk.Service("acme").As(helpdesk.AgentID(adm.ID))
	_, err = admin.Dooray().Update(ctx, helpdesk.DooraySettings{Active: true, OrgName: "ACME", OrgID: "1", Token: "TOKEN",
		Projects: []helpdesk.DoorayProject{{Name: "CS", ID: "7", Registrant: "lead@acme.example"}}})
	require.NoError(t, err)
	token, err := admin.Dooray().RotateHookToken(ctx)
	require.NoError(t, err)
	require.Len(t, token, 64)
	got, err := admin.Dooray().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "********", got.HookToken, "SEC-1: shown once")
	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@x.example"}, Title: "환불", Content: "본문", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	_, err = admin.Dooray().Transfer(ctx, tk.ID, "7")
	require.NoError(t, err)
	return desk, tk, token, store
}

const commentHook = `{"hookEventType":"postCommentCreated","hookVersion":2,
 "comment":{"id":"4006824347670773001","subtype":"general","createdAt":"2026-12-07T12:00:00+09:00",
  "body":{"mimeType":"text/x-markdown","content":"고객에게 환불 처리했습니다"},
  "creator":{"type":"member","member":{"organizationMemberId":"11","name":"김담당"}}},
 "post":{"id":4006824347670772680,"subject":"[#1] 환불","number":1},
 "project":{"id":"7","code":"cs"},"organization":{"id":"1"},"tenant":{"id":"t"},
 "source":{"type":"member","member":{"id":"11","name":"김담당","userCode":"kim","emailAddress":"kim@acme.example"}}}`

const closedHook = `{"webhookType":"postWorkflowChanged","version":2,
 "post":{"id":"4006824347670772680","subject":"[#1] 환불","number":1,"workflowClass":"closed","workflow":{"id":"3","name":"완료"}},
 "project":{"id":"7","code":"cs"},"tenant":{"id":"t"}}`

// Two-way DRY-2: a task comment becomes one internal note, a closed task
// one history row, however often Dooray! sends them; the token decides.
func TestProjectHook_DRY2_TwoWay(t *testing.T) {
	desk, tk, token, store := hookDesk(t)
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.Handle("POST /dooray/hooks/{service}/{token}", dooray.ProjectHook{Target: desk})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path, body string) int {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusNotFound, post("/dooray/hooks/acme/"+strings.Repeat("0", 64), commentHook), "a wrong token")
	assert.Equal(t, http.StatusNotFound, post("/dooray/hooks/nope/"+token, commentHook), "an unknown service")
	assert.Equal(t, http.StatusBadRequest, post("/dooray/hooks/acme/"+token, `{"hookEventType":`))
	for range 2 { // a replay is harmless
		assert.Equal(t, http.StatusNoContent, post("/dooray/hooks/acme/"+token, commentHook))
		assert.Equal(t, http.StatusNoContent, post("/dooray/hooks/acme/"+token, closedHook))
	}
	sys := desk.Service("acme").As(helpdesk.System)
	cms, err := sys.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, cms, 1)
	assert.Equal(t, ticket.CommentInternal, cms[0].Kind)
	assert.Equal(t, "Dooray! 김담당:\n\n고객에게 환불 처리했습니다", cms[0].Body)
	h, err := sys.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var states []string
	for _, c := range h {
		if c.Field == helpdesk.FieldDoorayTaskState {
			states = append(states, c.To)
		}
	}
	assert.Equal(t, []string{"closed"}, states)

	// The note from the task is not sent back to it.
	q, err := notify.Filter{Limit: 100}.Query()
	require.NoError(t, err)
	require.NoError(t, store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		p, err := r.Outbox().List(ctx, q)
		assert.Empty(t, p.Messages)
		return err
	}))
	// An unlinked task and other events are ignored.
	assert.Equal(t, http.StatusNoContent, post("/dooray/hooks/acme/"+token, strings.Replace(commentHook, "4006824347670772680", "5", 1)))
	assert.Equal(t, http.StatusNoContent, post("/dooray/hooks/acme/"+token, `{"hookEventType":"postTagChanged","post":{"id":"4006824347670772680"}}`))
	cms, err = sys.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Len(t, cms, 1)
}

func FuzzEvent(f *testing.F) {
	f.Add([]byte(commentHook))
	f.Add([]byte(closedHook))
	f.Add([]byte(`{"post":{"id":1e400}}`))
	f.Add([]byte(`{"comment":null,"post":{"closed":true}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := dooray.Event(b)
		if err != nil {
			return
		}
		assert.True(t, utf8.ValidString(ev.PostID+ev.CommentID+ev.CommentBody+ev.Author+ev.WorkflowClass))
	})
}
