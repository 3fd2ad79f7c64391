package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/httpapi"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// migrated is the database every Postgres test's database is cloned from.
var migrated = pgtest.NewTemplate(func(ctx context.Context, dsn string) error {
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
})

func TestMain(m *testing.M) {
	code := m.Run()
	if err := migrated.Close(); err != nil && code == 0 {
		println("pgtest: drop the template:", err.Error())
		code = 1
	}
	os.Exit(code)
}

// stores are the stores every HTTP test runs against.
var stores = []struct {
	name string
	open func(t *testing.T) helpdesk.Store
}{
	{"memory", func(*testing.T) helpdesk.Store { return memory.New() }},
	{"postgres", func(t *testing.T) helpdesk.Store {
		s, err := postgres.Open(context.Background(), migrated.Database(t), postgres.Options{MaxOpenConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
}

// eachStore runs f against a fresh fixture on every store.
func eachStore(t *testing.T, f func(t *testing.T, fx *fixture)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			f(t, newFixture(t, st.open(t)))
		})
	}
}

// fixture is a desk with two services, "a" and "b", behind the handler.
// The test's Authenticate reads the service from X-Service and the agent
// from X-Agent ("system" for the system actor); without X-Service it
// refuses.
type fixture struct {
	srv  *httptest.Server
	desk *helpdesk.Desk
	// admin, agent and noTicket are agents of service a: an admin, an
	// agent with the ticket permission and one without it.
	admin, agent, noTicket string
	// adminB is the admin of service b.
	adminB string
}

func newFixture(t testing.TB, store helpdesk.Store, opts ...func(*httpapi.Options)) *fixture {
	return newFixtureConfig(t, helpdesk.Config{Store: store}, opts...)
}

// newFixtureConfig is newFixture on a desk made with cfg (its ports).
func newFixtureConfig(t testing.TB, cfg helpdesk.Config, opts ...func(*httpapi.Options)) *fixture {
	ctx := context.Background()
	desk, err := helpdesk.New(cfg)
	require.NoError(t, err)
	fx := &fixture{desk: desk}
	for _, id := range []string{"a", "b"} {
		_, err := desk.CreateService(ctx, helpdesk.NewService{ID: id, Settings: helpdesk.Settings{
			Name: strings.ToUpper(id), Languages: []string{"en", "ko"}, Channels: helpdesk.Channels{Ticket: true}}})
		require.NoError(t, err)
	}
	mk := func(svc, name string, role agent.Role, perm *agent.Permissions) string {
		a, err := desk.Service(svc).As(helpdesk.System).Agents().Create(ctx, agent.New{Name: name,
			Email: strings.ToLower(name) + "@" + svc + ".example", Role: role, Permissions: perm})
		require.NoError(t, err)
		return a.ID
	}
	fx.admin = mk("a", "Ada", agent.RoleAdmin, nil)
	fx.agent = mk("a", "Kim", agent.RoleAgent, &agent.Permissions{Ticket: true})
	fx.noTicket = mk("a", "Lee", agent.RoleAgent, &agent.Permissions{Forward: true})
	fx.adminB = mk("b", "Bob", agent.RoleAdmin, nil)
	opt := httpapi.Options{MaxBodyBytes: 4 << 10, Authenticate: func(r *http.Request) (string, helpdesk.Actor, error) {
		svc := r.Header.Get("X-Service")
		if svc == "" {
			return "", helpdesk.Actor{}, errors.New("who are you?")
		}
		if a := r.Header.Get("X-Agent"); a != "system" {
			return svc, helpdesk.AgentID(a), nil
		}
		return svc, helpdesk.System, nil
	}}
	for _, o := range opts {
		o(&opt)
	}
	fx.srv = httptest.NewServer(httpapi.New(desk, opt))
	t.Cleanup(fx.srv.Close)
	return fx
}

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the answer's body into v.
func (r reply) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// problem decodes a problem answer, checking its media type and shape.
func (r reply) problem(t *testing.T) httpapi.Problem {
	t.Helper()
	assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	var p httpapi.Problem
	r.json(t, &p)
	assert.Equal(t, r.status, p.Status)
	assert.NotEmpty(t, p.Type)
	assert.NotEmpty(t, p.Title)
	return p
}

// do sends a request as agent (an id, or "system") of svc; body is
// marshalled unless it is a string, sent as it is.
func (fx *fixture) do(t *testing.T, svc, as, method, path string, body any, hdr ...string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, fx.srv.URL+path, rd)
	require.NoError(t, err)
	if svc != "" {
		req.Header.Set("X-Service", svc)
	}
	req.Header.Set("X-Agent", as)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := fx.srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return reply{status: res.StatusCode, header: res.Header, body: b}
}

// ticket is the part of a ticket's JSON the tests read.
type ticket struct {
	ID       string   `json:"id"`
	Number   int64    `json:"number"`
	Version  int64    `json:"version"`
	Title    string   `json:"title"`
	Status   string   `json:"status"`
	Priority string   `json:"priority"`
	Tags     []string `json:"tags"`
}

// create makes a ticket in svc as the system and returns it.
func (fx *fixture) create(t *testing.T, svc, title string) ticket {
	t.Helper()
	r := fx.do(t, svc, "system", "POST", "/tickets", map[string]any{"title": title, "content": "Order 42", "channel": "api",
		"requester": map[string]string{"name": "Yun", "email": "yun@example.com"}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var tk ticket
	r.json(t, &tk)
	return tk
}
