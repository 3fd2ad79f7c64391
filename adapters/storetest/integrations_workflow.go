package storetest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// received records the requests a fake external server got.
type received struct {
	mu   sync.Mutex
	reqs []string // "METHOD URI BODY"
	hdrs []http.Header
}

func (r *received) record(req *http.Request) []byte {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req.Method+" "+req.URL.RequestURI()+" "+string(b))
	r.hdrs = append(r.hdrs, req.Header.Clone())
	return b
}

func (r *received) all() ([]string, []http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...), append([]http.Header(nil), r.hdrs...)
}

const nhnOK = `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"r1","statusCode":"2","sendResultList":[{"recipientNo":"01012345678","resultCode":0,"resultMessage":"SUCCESS"}]}}}`

// testIntegrationsWorkflow: end to end on the store (SMS-1, SMS-2, DRY-2,
// DRY-4, TRG-6.4, NTF-1) — a trigger fires, its SMS, Dooray! and callback
// messages go through the outbox, the dispatcher hands them to the real
// adapters, and each fake external server receives exactly one correct
// request; a transferred ticket's reply reaches its Dooray! task once.
func testIntegrationsWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	var nhn, hook, cb, api received
	nhnSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the sender-number list (SMS-1)
			_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"pageNum":1,"pageSize":100,"totalCount":1,"data":[{"sendNo":"15446859","useYn":"Y","blockYn":"N"}]}}`)
			return
		}
		nhn.record(r)
		assert.Equal(t, "SECRET", r.Header.Get("X-Secret-Key"))
		_, _ = io.WriteString(w, nhnOK)
	}))
	defer nhnSrv.Close()
	hookSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hook.record(r) }))
	defer hookSrv.Close()
	cbSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := cb.record(r)
		assert.NoError(t, webhook.Verify([]string{"s3cret"}, r.Header, b, time.Now(), time.Hour))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer cbSrv.Close()
	apiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.record(r)
		assert.Equal(t, "dooray-api TENANT", r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/project/v1/projects/7/posts":
			_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":""},"result":{"id":4006824347670772680}}`)
		case "/common/v1/members":
			_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":""},"result":[],"totalCount":0}`)
		default:
			_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":""},"result":{"id":"1"}}`)
		}
	}))
	defer apiSrv.Close()

	tlsHook, tlsCB := hookSrv.Client().Transport.(*http.Transport).TLSClientConfig, cbSrv.Client().Transport.(*http.Transport).TLSClientConfig
	loopback := webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	var desk *helpdesk.Desk
	sms := nhnsms.New(nhnsms.Options{BaseURL: nhnSrv.URL, Credentials: func(ctx context.Context, id string) (nhnsms.Credentials, error) {
		c, err := desk.SMSCredentials(ctx, id)
		return nhnsms.Credentials(c), err
	}})
	client := dooray.NewClient(dooray.ClientOptions{BaseURL: apiSrv.URL})
	w := newTWDesk(t, s, func(c *helpdesk.Config) { c.SMSNumbers, c.DoorayTasks = sms, dooray.Tasks{Client: client} })
	desk = w.desk
	_, err := w.admin.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "APP", SecretKey: "SECRET", SenderNumbers: []string{"15446859"}})
	require.NoError(t, err)
	_, err = w.admin.Dooray().Update(ctx, helpdesk.DooraySettings{Active: true, OrgName: "ACME", OrgID: "1", Token: "TENANT",
		Projects: []helpdesk.DoorayProject{{Name: "CS", ID: "7", Registrant: "lead@acme.example"}}})
	require.NoError(t, err)
	w.trigger(t, trigger.New{Name: "tell everyone", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{
			{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "접수 #{ticketId}"}},
			{Kind: trigger.Dooray, URL: hookSrv.URL + "/services/1/2/TOKEN", Body: i18n.Text{"ko": "새 티켓 #{ticketId}: #{title}"}},
			{Kind: trigger.Callback, URL: cbSrv.URL + "/deskkit"},
		}})
	tk, err := w.sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@customer.example", Phone: "010-1234-5678"},
		Title: "환불", Content: "환불해 주세요", Channel: ticket.ChannelEmail, Language: "ko"})
	require.NoError(t, err)

	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{
		SMS:    sms,
		Dooray: dooray.Notifier{Hooks: dooray.NewHookPoster(dooray.HookOptions{BotName: "ACME", Guard: loopback, TLSClientConfig: tlsHook}), Client: client, Token: desk.DoorayToken},
		Call: webhook.New(webhook.Options{Guard: loopback, TLSClientConfig: tlsCB,
			Secrets: func(context.Context, string) ([]string, error) { return []string{"s3cret"}, nil }}),
	}})
	require.NoError(t, err)
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3}, st)

	num := itoa(tk.Number)
	got, _ := nhn.all()
	assert.Equal(t, []string{`POST /sms/v3.0/appKeys/APP/sender/sms {"body":"접수 ` + num + `","sendNo":"15446859","recipientList":[{"recipientNo":"01012345678"}]}`}, got)
	got, _ = hook.all()
	assert.Equal(t, []string{`POST /services/1/2/TOKEN {"botName":"ACME","text":"새 티켓 ` + num + `: 환불"}`}, got)
	got, hdrs := cb.all()
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "POST /deskkit {")
	var sentTicket ticket.Ticket
	require.NoError(t, json.Unmarshal([]byte(got[0][len("POST /deskkit "):]), &sentTicket))
	assert.Equal(t, tk.ID, sentTicket.ID)
	assert.NotEmpty(t, hdrs[0].Get(webhook.HeaderIdempotencyKey))

	// DRY-2: transfer, then a reply reaches the task once.
	_, err = w.admin.Dooray().Transfer(ctx, tk.ID, "7")
	require.NoError(t, err)
	_, err = w.admin.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "확인했습니다", Internal: true})
	require.NoError(t, err)
	st, err = d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1}, st)
	got, _ = api.all()
	require.Len(t, got, 4, "admin lookup, registrant lookup, task, comment: %q", got)
	assert.Equal(t, `POST /project/v1/projects/7/posts/4006824347670772680/logs {"body":{"mimeType":"text/x-markdown","content":"**Agent (internal note):**\n\n확인했습니다"}}`, got[3])
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
