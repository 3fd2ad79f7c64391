package browser_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/browser"
	"github.com/deskkit/deskkit/notify"
)

// wait bounds every wait for something the server should do at once.
const wait = 5 * time.Second

var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// auth authenticates by the X-Agent header and the X-Service header,
// "acme" when absent (a stand-in for a session).
func auth(r *http.Request) (string, string, error) {
	service := r.Header.Get("X-Service")
	if service == "" {
		service = "acme"
	}
	if id := r.Header.Get("X-Agent"); id != "" {
		return service, id, nil
	}
	return "", "", errors.New("no session cookie for this request")
}

// id returns the i-th message id; ids of test messages sort like UUIDv7s.
func id(i int) string { return fmt.Sprintf("01900000-0000-7000-8000-%012d", i) }

func msg(i int, agent string) notify.Message {
	return notify.Message{
		ID:        id(i),
		ServiceID: "acme",
		Medium:    notify.Browser,
		Recipient: agent,
		Payload: notify.Payload{
			Subject: fmt.Sprintf("Ticket #%d", i),
			Text:    "A customer wrote",
			Link:    fmt.Sprintf("https://desk.example/tickets/%d", i),
		},
		CreatedAt: created,
	}
}

func newServer(t *testing.T, opts browser.Options) (*browser.Hub, *httptest.Server) {
	t.Helper()
	if opts.Authenticate == nil {
		opts.Authenticate = auth
	}
	hub := browser.New(opts)
	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	return hub, srv
}

// sseEvent is one event (or comment) read off a stream.
type sseEvent struct {
	Lines   []string // the raw lines, without the blank line that ends it
	ID      string
	Event   string
	Data    string
	Comment string
}

// client is one open stream, read line by line in the background.
type client struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
	delay  time.Duration // a slow reader: the pause after each event read
}

// connect opens agent's stream (one browser tab) and checks the response
// headers; lastID, when set, is sent as Last-Event-ID.
func connect(t *testing.T, srv *httptest.Server, agent, lastID string) *client {
	t.Helper()
	return connectTo(t, srv, "acme", agent, lastID)
}

// connectTo is connect for an agent of service.
func connectTo(t *testing.T, srv *httptest.Server, service, agent, lastID string) *client {
	t.Helper()
	return connectSlow(t, srv, service, agent, lastID, 0)
}

// connectSlow is connectTo for a reader that pauses delay after each event.
func connectSlow(t *testing.T, srv *httptest.Server, service, agent, lastID string, delay time.Duration) *client {
	t.Helper()
	resp, cancel := getFrom(t, srv, service, agent, lastID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no", resp.Header.Get("X-Accel-Buffering"))
	c := &client{resp: resp, events: make(chan sseEvent, 1024), cancel: cancel, delay: delay}
	go c.read()
	return c
}

func get(t *testing.T, srv *httptest.Server, agent, lastID string) (*http.Response, context.CancelFunc) {
	t.Helper()
	return getFrom(t, srv, "acme", agent, lastID)
}

func getFrom(t *testing.T, srv *httptest.Server, service, agent, lastID string) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	if agent != "" {
		req.Header.Set("X-Agent", agent)
	}
	req.Header.Set("X-Service", service)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return resp, cancel
}

func (c *client) read() {
	defer close(c.events)
	sc := bufio.NewScanner(c.resp.Body)
	sc.Buffer(nil, 4<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(ev.Lines) > 0 {
				c.events <- ev
				time.Sleep(c.delay)
			}
			ev = sseEvent{}
			continue
		}
		ev.Lines = append(ev.Lines, line)
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			ev.Comment = value
		case "id":
			ev.ID = value
		case "event":
			ev.Event = value
		case "data":
			ev.Data = value
		}
	}
}

// next returns the next event (or comment) of the stream.
func (c *client) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-c.events:
		require.True(t, ok, "stream ended")
		return ev
	case <-time.After(wait):
		require.FailNow(t, "no event within the wait")
		return sseEvent{}
	}
}

// nextIDs returns the ids of the next n events.
func (c *client) nextIDs(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		ev := c.next(t)
		require.Equal(t, "notification", ev.Event, "event %v", ev.Lines)
		ids = append(ids, ev.ID)
	}
	return ids
}

func ids(ms []notify.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func push(t *testing.T, hub *browser.Hub, m notify.Message) {
	t.Helper()
	require.NoError(t, hub.PushBrowser(context.Background(), m))
}

func TestHub_NTF4_UnauthenticatedIs401(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	resp, _ := get(t, srv, "", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	body := new(strings.Builder)
	_, err := bufio.NewReader(resp.Body).WriteTo(body)
	require.NoError(t, err)
	assert.NotContains(t, body.String(), "session", "the error's details stay on the server")
	assert.Equal(t, 0, browser.StreamCount(hub, "acme", ""))
}

func TestHub_NTF4_OnlyGet(t *testing.T) {
	_, srv := newServer(t, browser.Options{})
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("X-Agent", "ann")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.MethodGet, resp.Header.Get("Allow"))
}

func TestHub_NTF4_PushReachesOpenStream(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	c := connect(t, srv, "ann", "")

	m := msg(1, "ann")
	m.Payload.Text = "Line one\nline <two> & \"three\""
	push(t, hub, m)

	ev := c.next(t)
	want := `{"id":"` + id(1) + `","subject":"Ticket #1","text":"Line one\nline <two> & \"three\"",` +
		`"link":"https://desk.example/tickets/1","created_at":"2026-01-02T03:04:05Z"}`
	assert.Equal(t, []string{"id: " + id(1), "event: notification", "data: " + want}, ev.Lines)
	assert.Empty(t, hub.Unread("acme", "ann"), "a delivered message is not kept")
}

func TestHub_NTF4_CreatedAtFromClock(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.FixedZone("KST", 9*3600))
	hub, srv := newServer(t, browser.Options{Clock: func() time.Time { return at }})
	c := connect(t, srv, "ann", "")
	m := msg(1, "ann")
	m.CreatedAt = time.Time{}
	push(t, hub, m)
	assert.Contains(t, c.next(t).Data, `"created_at":"2026-05-05T22:08:09Z"`)
}

func TestHub_NTF4_EveryTabOfTheAgentOnly(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	tab1 := connect(t, srv, "ann", "")
	tab2 := connect(t, srv, "ann", "")
	bob := connect(t, srv, "bob", "")
	require.Equal(t, 2, browser.StreamCount(hub, "acme", "ann"))

	push(t, hub, msg(1, "ann"))
	push(t, hub, msg(2, "bob"))

	assert.Equal(t, []string{id(1)}, tab1.nextIDs(t, 1))
	assert.Equal(t, []string{id(1)}, tab2.nextIDs(t, 1))
	// Streams are FIFO: had bob's stream got ann's message, it would come
	// before bob's own.
	assert.Equal(t, []string{id(2)}, bob.nextIDs(t, 1))
}

func TestHub_NTF4_OfflineKeptThenReplayedAndCleared(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	push(t, hub, msg(1, "ann"))
	push(t, hub, msg(2, "ann"))
	push(t, hub, msg(3, "bob"))
	assert.Equal(t, []string{id(1), id(2)}, ids(hub.Unread("acme", "ann")))

	c := connect(t, srv, "ann", "")
	assert.Equal(t, []string{id(1), id(2)}, c.nextIDs(t, 2))
	assert.Empty(t, hub.Unread("acme", "ann"), "replayed messages are delivered")
	assert.Equal(t, []string{id(3)}, ids(hub.Unread("acme", "bob")), "another agent's stay")

	// New pushes follow the replay on the same stream.
	push(t, hub, msg(4, "ann"))
	assert.Equal(t, []string{id(4)}, c.nextIDs(t, 1))

	// A second tab opened later gets nothing replayed twice.
	c2 := connect(t, srv, "ann", "")
	push(t, hub, msg(5, "ann"))
	assert.Equal(t, []string{id(5)}, c2.nextIDs(t, 1))
	assert.Equal(t, []string{id(5)}, c.nextIDs(t, 1))
}

func TestHub_NTF4_LastEventIDSkipsSeen(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	for i := 1; i <= 4; i++ {
		push(t, hub, msg(i, "ann"))
	}
	c := connect(t, srv, "ann", id(2))
	assert.Equal(t, []string{id(1), id(3), id(4)}, c.nextIDs(t, 3), "only the message the client saw is skipped")
	assert.Empty(t, hub.Unread("acme", "ann"), "replayed messages are cleared")

	// Review fix: an older message that arrived after the one the client
	// saw last (one dispatcher batch pushes out of id order) is not lost.
	push(t, hub, msg(60, "bob"))
	b := connect(t, srv, "bob", "")
	assert.Equal(t, []string{id(60)}, b.nextIDs(t, 1))
	b.cancel()
	require.Eventually(t, func() bool { return browser.StreamCount(hub, "acme", "bob") == 0 }, 5*time.Second, time.Millisecond)
	push(t, hub, msg(50, "bob")) // older id, pushed later, while bob was away
	b2 := connect(t, srv, "bob", id(60))
	assert.Equal(t, []string{id(50)}, b2.nextIDs(t, 1))
}

// refuse pushes m and checks it is refused for a retry: ErrUnreadFull, not
// permanent.
func refuse(t *testing.T, hub *browser.Hub, m notify.Message) {
	t.Helper()
	err := hub.PushBrowser(context.Background(), m)
	require.ErrorIs(t, err, browser.ErrUnreadFull)
	assert.False(t, notify.IsPermanent(err), "the dispatcher retries it")
}

func TestHub_NTF4_UnreadBoundRefusesNotDrops(t *testing.T) {
	hub, srv := newServer(t, browser.Options{Unread: 3})
	for i := 1; i <= 3; i++ {
		push(t, hub, msg(i, "ann"))
	}
	refuse(t, hub, msg(4, "ann"))
	refuse(t, hub, msg(5, "ann"))
	assert.Equal(t, []string{id(1), id(2), id(3)}, ids(hub.Unread("acme", "ann")), "nothing kept is dropped")
	assert.Equal(t, browser.Stats{Unread: 3, Refused: 2}, hub.Stats())

	// A repeated delivery (same id) replaces, it does not add: accepted
	// even when full.
	m := msg(3, "ann")
	m.Payload.Subject = "again"
	push(t, hub, m)
	assert.Equal(t, "again", hub.Unread("acme", "ann")[2].Payload.Subject)

	// Another agent has its own bound.
	push(t, hub, msg(6, "bob"))

	// Reading frees room: the dispatcher's retry then succeeds.
	hub.MarkRead("acme", "ann", id(1))
	push(t, hub, msg(4, "ann"))
	refuse(t, hub, msg(5, "ann"))
	c := connect(t, srv, "ann", "")
	assert.Equal(t, []string{id(2), id(3), id(4)}, c.nextIDs(t, 3))
	push(t, hub, msg(5, "ann"))
	assert.Equal(t, []string{id(5)}, c.nextIDs(t, 1))
	assert.Equal(t, browser.Stats{Streams: 1, Unread: 1, Refused: 3}, hub.Stats(), "bob's one is kept")
}

func TestHub_NTF4_DefaultUnreadBounds(t *testing.T) {
	hub, _ := newServer(t, browser.Options{})
	for i := 1; i <= browser.DefaultUnread; i++ {
		push(t, hub, msg(i, "ann"))
	}
	refuse(t, hub, msg(browser.DefaultUnread+1, "ann"))
	got := hub.Unread("acme", "ann")
	require.Len(t, got, browser.DefaultUnread)
	assert.Equal(t, id(1), got[0].ID)

	// The overall bound: agents of many services fill it.
	n := browser.DefaultUnread
	for agent := 0; n < browser.DefaultUnreadTotal; agent++ {
		for i := 0; i < browser.DefaultUnread && n < browser.DefaultUnreadTotal; i++ {
			m := msg(i, fmt.Sprintf("agent-%d", agent))
			m.ServiceID = fmt.Sprintf("svc-%d", agent%7)
			push(t, hub, m)
			n++
		}
	}
	refuse(t, hub, msg(1, "zed"))
	assert.Equal(t, browser.Stats{Unread: browser.DefaultUnreadTotal, Refused: 2}, hub.Stats())
}

func TestHub_NTF4_UnreadTotalBound(t *testing.T) {
	hub, srv := newServer(t, browser.Options{Unread: 3, UnreadTotal: 5})
	for i := 1; i <= 3; i++ {
		push(t, hub, msg(i, "ann"))
	}
	push(t, hub, msg(4, "bob"))
	push(t, hub, msg(5, "bob"))
	refuse(t, hub, msg(6, "bob"))  // the store is full, bob's list is not
	refuse(t, hub, msg(7, "carl")) // nor is carl's
	assert.Equal(t, browser.Stats{Unread: 5, Refused: 2}, hub.Stats())
	assert.Empty(t, hub.Unread("acme", "carl"))

	// Ann's replay empties her list: room for the retries.
	c := connect(t, srv, "ann", "")
	assert.Equal(t, []string{id(1), id(2), id(3)}, c.nextIDs(t, 3))
	push(t, hub, msg(6, "bob"))
	push(t, hub, msg(7, "carl"))
	assert.Equal(t, browser.Stats{Streams: 1, Unread: 4, Refused: 2}, hub.Stats())
}

// The burst: a tab's buffer fills in microseconds, so most of a
// burst of 200 finds it full. Every push that returns nil is streamed or
// kept unread, counted exactly; the rest are refused for a retry, and the
// retries deliver them.
func TestHub_NTF4_BurstToSlowReaderLosesNothing(t *testing.T) {
	const burst = 200
	for name, opts := range map[string]browser.Options{
		"default bounds":   {},
		"room for a burst": {Unread: burst},
	} {
		t.Run(name, func(t *testing.T) {
			hub, srv := newServer(t, opts)
			c := connectSlow(t, srv, "acme", "ann", "", time.Millisecond)

			var accepted, refused []notify.Message
			for i := 1; i <= burst; i++ {
				m := msg(i, "ann")
				if err := hub.PushBrowser(context.Background(), m); err != nil {
					require.ErrorIs(t, err, browser.ErrUnreadFull)
					require.False(t, notify.IsPermanent(err))
					refused = append(refused, m)
					continue
				}
				accepted = append(accepted, m)
			}
			unread := ids(hub.Unread("acme", "ann"))
			live := c.nextIDs(t, len(accepted)-len(unread))
			select {
			case ev, ok := <-c.events:
				require.False(t, ok, "more arrived than was accepted and not kept: %v", ev.Lines)
			case <-time.After(100 * time.Millisecond):
			}
			t.Logf("%d live, %d unread, %d refused", len(live), len(unread), len(refused))
			assert.ElementsMatch(t, ids(accepted), append(slices.Clone(live), unread...),
				"each accepted message is streamed or kept, once")
			assert.Equal(t, browser.Stats{Streams: 1, Unread: len(unread), Refused: int64(len(refused))}, hub.Stats())
			if opts.Unread >= burst {
				assert.Empty(t, refused, "the store had room for the whole burst")
			}

			// The tab closes and a new one opens: the unread ones are
			// replayed; the dispatcher's retries of the refused ones now
			// find room.
			c.cancel()
			require.Eventually(t, func() bool { return browser.StreamCount(hub, "acme", "ann") == 0 }, wait, time.Millisecond)
			require.Equal(t, unread, ids(hub.Unread("acme", "ann")), "the closed tab had written all it took")
			c2 := connect(t, srv, "ann", "")
			for _, m := range refused {
				push(t, hub, m)
			}
			again := ids(hub.Unread("acme", "ann"))
			got := append(c2.nextIDs(t, len(unread)+len(refused)-len(again)), again...)
			got = append(got, live...)
			slices.Sort(got)
			var all []string
			for i := 1; i <= burst; i++ {
				all = append(all, id(i))
			}
			assert.Equal(t, all, got, "all %d delivered, each once", burst)
		})
	}
}

func TestHub_NTF4_ServicesDoNotMix(t *testing.T) {
	hub, srv := newServer(t, browser.Options{Unread: 2})
	in := func(service string, i int) notify.Message {
		m := msg(i, "ann")
		m.ServiceID = service
		return m
	}
	acme := connectTo(t, srv, "acme", "ann", "")
	globex := connectTo(t, srv, "globex", "ann", "")
	require.Equal(t, 1, browser.StreamCount(hub, "acme", "ann"))
	require.Equal(t, 1, browser.StreamCount(hub, "globex", "ann"))

	push(t, hub, in("acme", 1))
	push(t, hub, in("globex", 2))
	// Streams are FIFO: had globex's ann got acme's message, it would come
	// first.
	assert.Equal(t, []string{id(2)}, globex.nextIDs(t, 1))
	assert.Equal(t, []string{id(1)}, acme.nextIDs(t, 1))

	// Offline, each service's ann has her own unread list and bound, even
	// for the same message id (ids are unique within a service only).
	acme.cancel()
	globex.cancel()
	require.Eventually(t, func() bool { return hub.Stats().Streams == 0 }, wait, time.Millisecond)
	push(t, hub, in("acme", 3))
	push(t, hub, in("acme", 4))
	refuse(t, hub, in("acme", 5))
	push(t, hub, in("globex", 3))
	assert.Equal(t, []string{id(3), id(4)}, ids(hub.Unread("acme", "ann")))
	assert.Equal(t, []string{id(3)}, ids(hub.Unread("globex", "ann")))
	assert.Equal(t, "globex", hub.Unread("globex", "ann")[0].ServiceID)

	hub.MarkRead("globex", "ann", id(3))
	assert.Empty(t, hub.Unread("globex", "ann"))
	assert.Equal(t, []string{id(3), id(4)}, ids(hub.Unread("acme", "ann")), "another service's read does not count")

	// A reconnect replays only its own service's messages.
	push(t, hub, in("globex", 6))
	g := connectTo(t, srv, "globex", "ann", "")
	assert.Equal(t, []string{id(6)}, g.nextIDs(t, 1))
	assert.Equal(t, []string{id(3), id(4)}, ids(hub.Unread("acme", "ann")))
}

func TestHub_NTF4_UnreadCopyAndMarkRead(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	for i := 1; i <= 3; i++ {
		push(t, hub, msg(i, "ann"))
	}
	got := hub.Unread("acme", "ann")
	got[0].ID = "changed"
	assert.Equal(t, id(1), hub.Unread("acme", "ann")[0].ID, "Unread returns a copy")

	hub.MarkRead("acme", "ann", id(1), id(3), "unknown")
	hub.MarkRead("acme", "nobody", id(2))
	assert.Equal(t, []string{id(2)}, ids(hub.Unread("acme", "ann")))

	c := connect(t, srv, "ann", "")
	assert.Equal(t, []string{id(2)}, c.nextIDs(t, 1), "read ones are not replayed")
	hub.MarkRead("acme", "ann", id(2))
	assert.Empty(t, hub.Unread("acme", "ann"))
}

func TestHub_NTF4_InvalidMessagesArePermanent(t *testing.T) {
	hub, _ := newServer(t, browser.Options{})
	for name, m := range map[string]notify.Message{
		"no recipient": {ID: id(1), ServiceID: "acme"},
		"no service":   {ID: id(1), Recipient: "ann"},
		"no id":        {ServiceID: "acme", Recipient: "ann"},
		"id with LF":   {ID: "x\nevent: evil", ServiceID: "acme", Recipient: "ann"},
	} {
		err := hub.PushBrowser(context.Background(), m)
		require.Error(t, err, name)
		assert.True(t, notify.IsPermanent(err), name)
	}
	assert.Empty(t, hub.Unread("acme", "ann"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, hub.PushBrowser(ctx, msg(1, "ann")), context.Canceled)
}

// bigMsg is msg(i, "ann") with a 1 MiB text.
func bigMsg(i int) notify.Message {
	m := msg(i, "ann")
	m.Payload.Text = strings.Repeat("x", 1<<20)
	return m
}

// stall opens ann's only stream and never reads its body, feeding it 1 MiB
// events until the socket buffers are full: the handler then sits in Write
// with message i-1 and message i stays in the stream's buffer (Buffer 1).
// It returns i, the response and its hang-up.
func stall(t *testing.T, hub *browser.Hub, srv *httptest.Server) (int, *http.Response, context.CancelFunc) {
	t.Helper()
	stalled, hangUp := get(t, srv, "ann", "")
	require.Equal(t, 1, browser.StreamCount(hub, "acme", "ann"))
	i := 0
	for stuck := false; !stuck; {
		i++
		require.Less(t, i, 200, "the stream never stalled")
		push(t, hub, bigMsg(i))
		require.Empty(t, hub.Unread("acme", "ann"), "the stream took every message so far")
		drained := time.Now().Add(time.Second)
		for browser.Buffered(hub, "acme", "ann") > 0 && !stuck {
			stuck = time.Now().After(drained)
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("stalled after %d MiB", i)
	return i, stalled, hangUp
}

func TestHub_NTF4_StalledClientDoesNotBlockPush(t *testing.T) {
	const more = 10
	hub, srv := newServer(t, browser.Options{Buffer: 1, Unread: more})
	i, stalled, hangUp := stall(t, hub, srv)

	// Now the buffer is full: pushes must neither wait nor get lost.
	done := make(chan error, 1)
	go func() {
		var err error
		for j := 1; j <= more && err == nil; j++ {
			err = hub.PushBrowser(context.Background(), bigMsg(i+j))
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(wait):
		require.FailNow(t, "PushBrowser blocked on a stalled client")
	}
	var want []string
	for j := 1; j <= more; j++ {
		want = append(want, id(i+j))
	}
	assert.Equal(t, want, ids(hub.Unread("acme", "ann")), "what the stalled stream could not take is kept")
	assert.Equal(t, 1, browser.StreamCount(hub, "acme", "ann"), "the stream is still open")

	// When the client goes, the message stuck in Write and the one in the
	// stream's buffer are kept too.
	hangUp()
	stalled.Body.Close()
	require.Eventually(t, func() bool { return browser.StreamCount(hub, "acme", "ann") == 0 },
		wait, 5*time.Millisecond)
	want = append([]string{id(i - 1), id(i)}, want...)
	assert.Equal(t, want, ids(hub.Unread("acme", "ann")), "taken, so kept past the bound")
	assert.Equal(t, more+2, hub.Stats().Unread)
	refuse(t, hub, msg(i+more+1, "ann"))
	hub.MarkRead("acme", "ann", id(i-1), id(i), id(i+1))
	push(t, hub, msg(i+more+1, "ann"))
}

func TestHub_NTF4_Heartbeat(t *testing.T) {
	_, srv := newServer(t, browser.Options{Heartbeat: 10 * time.Millisecond})
	c := connect(t, srv, "ann", "")
	ev := c.next(t)
	assert.Equal(t, []string{": ping"}, ev.Lines)
	assert.Equal(t, "ping", ev.Comment)
}

func TestHub_NTF4_DisconnectForgetsStream(t *testing.T) {
	hub, srv := newServer(t, browser.Options{})
	c := connect(t, srv, "ann", "")
	stay := connect(t, srv, "ann", "")
	require.Equal(t, 2, browser.StreamCount(hub, "acme", "ann"))

	c.cancel()
	require.Eventually(t, func() bool { return browser.StreamCount(hub, "acme", "ann") == 1 },
		wait, 5*time.Millisecond, "the hub forgets a closed tab")
	for range c.events { // the client's reader ends too
	}

	push(t, hub, msg(1, "ann"))
	assert.Equal(t, []string{id(1)}, stay.nextIDs(t, 1))
	assert.Empty(t, hub.Unread("acme", "ann"))

	stay.cancel()
	require.Eventually(t, func() bool { return browser.StreamCount(hub, "acme", "ann") == 0 },
		wait, 5*time.Millisecond)
	push(t, hub, msg(2, "ann"))
	assert.Equal(t, []string{id(2)}, ids(hub.Unread("acme", "ann")), "with no tab open, a push is kept")
}

func TestHub_NTF4_ConcurrentPushesAndTabs(t *testing.T) {
	const pushers, each = 8, 50
	hub, srv := newServer(t, browser.Options{Buffer: pushers * each, Unread: pushers * each})
	c := connect(t, srv, "ann", "")

	var wg sync.WaitGroup
	for p := range pushers {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, hub.PushBrowser(context.Background(), msg(p*each+i, "ann")))
			}
		})
	}
	// Tabs come and go while the pushes run.
	for range 4 {
		wg.Go(func() {
			resp, cancel := get(t, srv, "ann", "")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			_ = hub.Unread("acme", "ann")
			hub.MarkRead("acme", "ann", id(0))
			cancel()
		})
	}
	wg.Wait()

	seen := make(map[string]bool)
	for _, got := range c.nextIDs(t, pushers*each) {
		seen[got] = true
	}
	assert.Len(t, seen, pushers*each, "the steady tab got every message once")
}

func TestNew_RequiresAuthenticate(t *testing.T) {
	assert.Panics(t, func() { browser.New(browser.Options{}) })
}

func TestHub_NTF4_LaggingTabWithFullStoreIsCounted(t *testing.T) {
	hub, srv := newServer(t, browser.Options{Buffer: 1, Unread: 1})
	i, _, _ := stall(t, hub, srv)
	live := connect(t, srv, "ann", "")

	// The live tab takes both; the stalled one cannot: the first is kept
	// for it, the second finds the store full. It reached a tab, so the
	// push succeeds, and the miss is counted.
	push(t, hub, msg(i+1, "ann"))
	push(t, hub, msg(i+2, "ann"))
	assert.Equal(t, []string{id(i + 1), id(i + 2)}, live.nextIDs(t, 2))
	assert.Equal(t, []string{id(i + 1)}, ids(hub.Unread("acme", "ann")))
	assert.Equal(t, browser.Stats{Streams: 2, Unread: 1, Lagged: 1}, hub.Stats())
}
