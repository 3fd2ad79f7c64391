package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/deskkit/notify"
)

// Defaults for Options.
const (
	DefaultUnread    = 100
	DefaultBuffer    = 16
	DefaultHeartbeat = 25 * time.Second
)

// minWriteTimeout is the least time one write to a stream may take before
// the stream is given up; the deadline is twice the heartbeat when that is
// longer.
const minWriteTimeout = 10 * time.Second

// Options configure a Hub. Only Authenticate is required.
type Options struct {
	// Authenticate tells which agent makes a stream request, using the
	// host product's own login (usually a session cookie, since
	// EventSource cannot set headers). An error, or an empty id, answers
	// 401 Unauthorized; the error is logged at debug level, never sent.
	Authenticate func(r *http.Request) (agentID string, err error)
	// Unread is how many undelivered messages are kept per agent; past it
	// the oldest are dropped. Default DefaultUnread.
	Unread int
	// Buffer is how many messages may wait for one stream (tab) while it
	// writes; a message that finds a stream's buffer full is kept unread
	// instead of waiting. Default DefaultBuffer.
	Buffer int
	// Heartbeat is how often a stream sends a ": ping" comment to keep
	// proxies from closing it and to notice a gone client. Default
	// DefaultHeartbeat.
	Heartbeat time.Duration
	// Clock returns the current time, used as created_at of a message that
	// has none; default time.Now.
	Clock func() time.Time
	// Logger receives diagnostics; default: discard.
	Logger *slog.Logger
}

// Hub delivers browser notifications (NTF-4): it is the notify.BrowserPusher
// of the Dispatcher and the http.Handler of the agents' Server-Sent Events
// streams. Create it with New; it is safe for concurrent use.
type Hub struct {
	auth         func(*http.Request) (string, error)
	maxUnread    int
	buffer       int
	heartbeat    time.Duration
	writeTimeout time.Duration
	clock        func() time.Time
	log          *slog.Logger

	mu      sync.Mutex
	streams map[string]map[*stream]struct{} // agent id → open streams
	unread  map[string][]notify.Message     // agent id → kept messages, by id
}

// stream is one open event stream (one browser tab).
type stream struct {
	ch chan notify.Message
}

var _ notify.BrowserPusher = (*Hub)(nil)

// New returns a Hub configured by opts. It panics if opts.Authenticate is
// nil: a stream nobody authenticates would leak every agent's
// notifications.
func New(opts Options) *Hub {
	if opts.Authenticate == nil {
		panic("browser: Options.Authenticate is required")
	}
	h := &Hub{
		auth:      opts.Authenticate,
		maxUnread: opts.Unread,
		buffer:    opts.Buffer,
		heartbeat: opts.Heartbeat,
		clock:     opts.Clock,
		log:       opts.Logger,
		streams:   make(map[string]map[*stream]struct{}),
		unread:    make(map[string][]notify.Message),
	}
	if h.maxUnread <= 0 {
		h.maxUnread = DefaultUnread
	}
	if h.buffer <= 0 {
		h.buffer = DefaultBuffer
	}
	if h.heartbeat <= 0 {
		h.heartbeat = DefaultHeartbeat
	}
	if h.clock == nil {
		h.clock = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.writeTimeout = max(2*h.heartbeat, minWriteTimeout)
	return h
}

// PushBrowser delivers m to every open stream of agent m.Recipient. When the
// agent has no open stream, or one of them cannot take m at once (a slow
// client whose buffer is full), m is kept in the agent's unread list too, to
// be replayed on the next connect. Either way it returns nil without waiting
// for any client. A message without a recipient or id, or with a line break in its
// id, is rejected with a notify.Permanent error; a done ctx returns its
// error.
func (h *Hub) PushBrowser(ctx context.Context, m notify.Message) error {
	if m.Recipient == "" {
		return notify.Permanent(errors.New("browser: message has no recipient agent"))
	}
	if m.ID == "" || strings.ContainsAny(m.ID, "\r\n") {
		return notify.Permanent(errors.New("browser: message id is empty or has a line break"))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = h.clock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	streams := h.streams[m.Recipient]
	keep := len(streams) == 0
	for s := range streams {
		select {
		case s.ch <- m:
		default: // this tab is behind; it must not hold up the dispatcher
			keep = true
		}
	}
	if keep {
		h.keepLocked(m.Recipient, m)
		h.log.DebugContext(ctx, "browser: notification kept unread",
			"agent", m.Recipient, "message", m.ID, "streams", len(h.streams[m.Recipient]))
	}
	return nil
}

// Unread returns a copy of the messages kept for agentID because they may
// not have reached a tab yet (see Delivery in the package doc), oldest
// (smallest id) first. They are replayed on the agent's next connect.
func (h *Hub) Unread(agentID string) []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.unread[agentID])
}

// MarkRead removes the messages with the given ids from agentID's unread
// list, so they are not replayed. Unknown ids are ignored.
func (h *Hub) MarkRead(agentID string, ids ...string) {
	if len(ids) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	list := slices.DeleteFunc(h.unread[agentID], func(m notify.Message) bool {
		return slices.Contains(ids, m.ID)
	})
	h.setUnreadLocked(agentID, list)
}

// ServeHTTP serves an agent's Server-Sent Events stream: it authenticates the
// request, replays (and clears) the agent's unread messages except the one
// named by the Last-Event-ID header, then writes each message pushed to the agent as
//
//	id: <message id>
//	event: notification
//	data: {"id":…,"subject":…,"text":…,"link":…,"created_at":…}
//
// with a ": ping" comment every heartbeat, until the request's context ends
// or a write fails. Only GET is served.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	agentID, err := h.auth(r)
	if err != nil || agentID == "" {
		h.log.DebugContext(ctx, "browser: stream refused", "err", err)
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}

	// Registering the stream and taking the unread list happen under one
	// lock, so every message is either replayed or streamed, never both
	// or neither.
	s, replay := h.open(agentID, r.Header.Get("Last-Event-ID"))
	var undelivered []notify.Message
	defer func() { h.close(agentID, s, undelivered) }()

	rc := http.NewResponseController(w)
	// An SSE stream outlives any server WriteTimeout; each write gets its
	// own deadline instead. Not every ResponseWriter supports deadlines.
	_ = rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		undelivered = replay
		h.log.WarnContext(ctx, "browser: cannot stream to this response", "agent", agentID, "err", err)
		return
	}
	h.log.DebugContext(ctx, "browser: stream open", "agent", agentID, "replay", len(replay))

	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(h.writeTimeout))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	var buf bytes.Buffer
	for i, m := range replay {
		if err := write(encodeEvent(&buf, m)); err != nil {
			undelivered = replay[i:]
			h.log.DebugContext(ctx, "browser: stream broken", "agent", agentID, "err", err)
			return
		}
	}

	ping := time.NewTicker(h.heartbeat)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			h.log.DebugContext(ctx, "browser: stream closed", "agent", agentID)
			return
		case m := <-s.ch:
			if err := write(encodeEvent(&buf, m)); err != nil {
				undelivered = []notify.Message{m}
				h.log.DebugContext(ctx, "browser: stream broken", "agent", agentID, "err", err)
				return
			}
		case <-ping.C:
			if err := write([]byte(": ping\n\n")); err != nil {
				h.log.DebugContext(ctx, "browser: stream broken", "agent", agentID, "err", err)
				return
			}
		}
	}
}

// open registers a new stream for agentID and takes the agent's unread
// messages, all but the one with id lastID (the last the client saw). The
// unread list is cleared: every message in it is replayed now. Only lastID
// is skipped, not every smaller id: pushes of one batch arrive out of id
// order, so an older unread message can still be unseen.
func (h *Hub) open(agentID, lastID string) (*stream, []notify.Message) {
	s := &stream{ch: make(chan notify.Message, h.buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.streams[agentID]
	if set == nil {
		set = make(map[*stream]struct{})
		h.streams[agentID] = set
	}
	set[s] = struct{}{}
	replay := h.unread[agentID]
	delete(h.unread, agentID)
	if lastID != "" {
		if i, found := slices.BinarySearchFunc(replay, lastID, compareID); found {
			replay = slices.Delete(slices.Clone(replay), i, i+1)
		}
	}
	return s, replay
}

// close forgets stream s of agentID and keeps unread whatever it did not
// deliver: undelivered, and the messages still waiting in its buffer.
func (h *Hub) close(agentID string, s *stream, undelivered []notify.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.streams[agentID]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.streams, agentID)
		}
	}
	// Pushes send under h.mu and the stream's handler is returning, so
	// nobody else sends to or receives from s.ch any more.
	for len(s.ch) > 0 {
		undelivered = append(undelivered, <-s.ch)
	}
	if len(undelivered) > 0 {
		h.keepLocked(agentID, undelivered...)
	}
}

// keepLocked adds ms to agentID's unread list, in id order, replacing a
// message with the same id, and drops the oldest past the bound. h.mu must
// be held.
func (h *Hub) keepLocked(agentID string, ms ...notify.Message) {
	list := h.unread[agentID]
	for _, m := range ms {
		i, found := slices.BinarySearchFunc(list, m.ID, compareID)
		if found {
			list[i] = m
			continue
		}
		list = slices.Insert(list, i, m)
	}
	if n := len(list) - h.maxUnread; n > 0 {
		list = slices.Delete(list, 0, n)
	}
	h.setUnreadLocked(agentID, list)
}

// setUnreadLocked stores agentID's unread list, forgetting an empty one.
func (h *Hub) setUnreadLocked(agentID string, list []notify.Message) {
	if len(list) == 0 {
		delete(h.unread, agentID)
		return
	}
	h.unread[agentID] = list
}

// compareID orders messages by id (UUIDv7: by creation time).
func compareID(m notify.Message, id string) int {
	return strings.Compare(m.ID, id)
}

// wireNotification is the JSON data of one notification event.
type wireNotification struct {
	ID        string    `json:"id"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
}

// encodeEvent renders m as one SSE event into buf and returns its bytes
// (valid until buf is used again). encoding/json escapes every line break
// inside strings, so the data is one line.
func encodeEvent(buf *bytes.Buffer, m notify.Message) []byte {
	buf.Reset()
	buf.WriteString("id: ")
	buf.WriteString(m.ID)
	buf.WriteString("\nevent: notification\ndata: ")
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	// Encode ends the data line with '\n'; the blank line ends the event.
	if err := enc.Encode(wireNotification{
		ID:        m.ID,
		Subject:   m.Payload.Subject,
		Text:      m.Payload.Text,
		Link:      m.Payload.Link,
		CreatedAt: m.CreatedAt.UTC(),
	}); err != nil {
		// Only a time outside years 0..9999 fails: send the zero time.
		m.CreatedAt = time.Time{}
		return encodeEvent(buf, m)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
