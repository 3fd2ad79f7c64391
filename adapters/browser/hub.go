package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	DefaultUnread      = 100
	DefaultUnreadTotal = 10000
	DefaultBuffer      = 16
	DefaultHeartbeat   = 25 * time.Second
)

// ErrUnreadFull is the error PushBrowser returns (wrapped) for a message
// that reached no open stream and found the unread store full, for its
// agent or overall. It is not notify.Permanent: the Dispatcher retries the
// message later, after its back-off, and fails it after its last attempt,
// so a message the hub could not keep is never marked sent.
var ErrUnreadFull = errors.New("browser: unread store full")

// minWriteTimeout is the least time one write to a stream may take before
// the stream is given up; the deadline is twice the heartbeat when that is
// longer.
const minWriteTimeout = 10 * time.Second

// Options configure a Hub. Only Authenticate is required.
type Options struct {
	// Authenticate tells which agent of which service makes a stream
	// request, using the host product's own login (usually a session
	// cookie, since EventSource cannot set headers). The stream gets the
	// messages whose ServiceID and Recipient are these ids: agent ids of
	// two services never mix. An error, or an empty id, answers 401
	// Unauthorized; the error is logged at debug level, never sent.
	Authenticate func(r *http.Request) (serviceID, agentID string, err error)
	// Unread is how many undelivered messages are kept per agent (of a
	// service); a push that would keep one more is refused with
	// ErrUnreadFull (see Delivery in the package doc). Default
	// DefaultUnread.
	Unread int
	// UnreadTotal is how many undelivered messages are kept for all agents
	// together; past it pushes are refused the same way. Default
	// DefaultUnreadTotal.
	UnreadTotal int
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
	auth         func(*http.Request) (string, string, error)
	maxUnread    int
	maxTotal     int
	buffer       int
	heartbeat    time.Duration
	writeTimeout time.Duration
	clock        func() time.Time
	log          *slog.Logger

	mu      sync.Mutex
	streams map[key]map[*stream]struct{} // agent → open streams
	unread  map[key][]notify.Message     // agent → kept messages, by id
	total   int                          // messages in unread, all agents
	refused int64                        // see Stats
	lagged  int64                        // see Stats
}

// key names an agent of a service: message ids and agent ids are unique
// only within their service.
type key struct{ service, agent string }

// Stats is what a Hub holds now and what it could not keep so far; see
// Hub.Stats.
type Stats struct {
	// Streams is how many streams (tabs) are open.
	Streams int
	// Unread is how many messages are kept unread, for all agents.
	Unread int
	// Refused counts pushes refused with ErrUnreadFull: the message reached
	// no open stream and the unread store was full. The Dispatcher retries
	// them, so one message may be counted once per attempt.
	Refused int64
	// Lagged counts messages that reached some open stream of their agent
	// but not another, lagging one (its buffer full), and that the full
	// unread store could not keep for that stream. The agent has them in
	// the tab that got them; the lagging tab never shows them.
	Lagged int64
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
		maxTotal:  opts.UnreadTotal,
		buffer:    opts.Buffer,
		heartbeat: opts.Heartbeat,
		clock:     opts.Clock,
		log:       opts.Logger,
		streams:   make(map[key]map[*stream]struct{}),
		unread:    make(map[key][]notify.Message),
	}
	if h.maxUnread <= 0 {
		h.maxUnread = DefaultUnread
	}
	if h.maxTotal <= 0 {
		h.maxTotal = DefaultUnreadTotal
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

// PushBrowser delivers m to every open stream of agent m.Recipient of
// service m.ServiceID, without waiting for any client. It returns nil only
// when m is delivered or kept: taken by at least one open stream, or kept
// in the agent's unread list, to be replayed on the next connect. m is
// kept when the agent has no open stream or one of them cannot take it at
// once (a slow client whose buffer is full).
//
// When m reached no stream and the unread store is full (Options.Unread
// for the agent, Options.UnreadTotal overall), PushBrowser returns an
// error wrapping ErrUnreadFull, not notify.Permanent: the Dispatcher
// retries m later. When m reached some stream but not a lagging one and
// the store is full, it returns nil and counts m in Stats.Lagged.
//
// A message without a service, recipient or id, or with a line break in
// its id, is rejected with a notify.Permanent error; a done ctx returns
// its error.
func (h *Hub) PushBrowser(ctx context.Context, m notify.Message) error {
	if m.ServiceID == "" || m.Recipient == "" {
		return notify.Permanent(errors.New("browser: message has no service or no recipient agent"))
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
	k := key{m.ServiceID, m.Recipient}
	h.mu.Lock()
	defer h.mu.Unlock()
	streams := h.streams[k]
	took := 0
	for s := range streams {
		select {
		case s.ch <- m:
			took++
		default: // this tab is behind; it must not hold up the dispatcher
		}
	}
	if took > 0 && took == len(streams) {
		return nil
	}
	if h.keepOneLocked(k, m) {
		h.log.DebugContext(ctx, "browser: notification kept unread", "service", k.service,
			"agent", k.agent, "message", m.ID, "streams", len(streams))
		return nil
	}
	if took > 0 {
		h.lagged++
		h.log.WarnContext(ctx, "browser: unread store full, a lagging tab misses a notification",
			"service", k.service, "agent", k.agent, "message", m.ID, "streams", len(streams))
		return nil
	}
	h.refused++
	h.log.WarnContext(ctx, "browser: unread store full, notification refused",
		"service", k.service, "agent", k.agent, "message", m.ID, "unread", len(h.unread[k]), "total", h.total)
	return fmt.Errorf("%w: agent %q of service %q has %d kept (at most %d), all agents %d (at most %d)",
		ErrUnreadFull, k.agent, k.service, len(h.unread[k]), h.maxUnread, h.total, h.maxTotal)
}

// Stats reports what h holds now and what it could not keep so far.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Stats{Unread: h.total, Refused: h.refused, Lagged: h.lagged}
	for _, set := range h.streams {
		st.Streams += len(set)
	}
	return st
}

// Unread returns a copy of the messages kept for agent agentID of service
// serviceID because they may not have reached a tab yet (see Delivery in
// the package doc), oldest (smallest id) first. They are replayed on the
// agent's next connect.
func (h *Hub) Unread(serviceID, agentID string) []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.unread[key{serviceID, agentID}])
}

// MarkRead removes the messages with the given ids from the unread list of
// agent agentID of service serviceID, so they are not replayed. Unknown ids
// are ignored.
func (h *Hub) MarkRead(serviceID, agentID string, ids ...string) {
	if len(ids) == 0 {
		return
	}
	k := key{serviceID, agentID}
	h.mu.Lock()
	defer h.mu.Unlock()
	list := slices.DeleteFunc(h.unread[k], func(m notify.Message) bool {
		return slices.Contains(ids, m.ID)
	})
	h.setUnreadLocked(k, list)
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
	serviceID, agentID, err := h.auth(r)
	if err != nil || serviceID == "" || agentID == "" {
		h.log.DebugContext(ctx, "browser: stream refused", "err", err)
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}

	// Registering the stream and taking the unread list happen under one
	// lock, so every message is either replayed or streamed, never both
	// or neither.
	k := key{serviceID, agentID}
	s, replay := h.open(k, r.Header.Get("Last-Event-ID"))
	var undelivered []notify.Message
	defer func() { h.close(k, s, undelivered) }()

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
		h.log.WarnContext(ctx, "browser: cannot stream to this response", "service", serviceID, "agent", agentID, "err", err)
		return
	}
	h.log.DebugContext(ctx, "browser: stream open", "service", serviceID, "agent", agentID, "replay", len(replay))

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
			h.log.DebugContext(ctx, "browser: stream broken", "service", serviceID, "agent", agentID, "err", err)
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
				h.log.DebugContext(ctx, "browser: stream broken", "service", serviceID, "agent", agentID, "err", err)
				return
			}
		case <-ping.C:
			if err := write([]byte(": ping\n\n")); err != nil {
				h.log.DebugContext(ctx, "browser: stream broken", "service", serviceID, "agent", agentID, "err", err)
				return
			}
		}
	}
}

// open registers a new stream for agent k and takes the agent's unread
// messages, all but the one with id lastID (the last the client saw). The
// unread list is cleared: every message in it is replayed now. Only lastID
// is skipped, not every smaller id: pushes of one batch arrive out of id
// order, so an older unread message can still be unseen.
func (h *Hub) open(k key, lastID string) (*stream, []notify.Message) {
	s := &stream{ch: make(chan notify.Message, h.buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.streams[k]
	if set == nil {
		set = make(map[*stream]struct{})
		h.streams[k] = set
	}
	set[s] = struct{}{}
	replay := h.unread[k]
	h.setUnreadLocked(k, nil)
	if lastID != "" {
		if i, found := slices.BinarySearchFunc(replay, lastID, compareID); found {
			replay = slices.Delete(slices.Clone(replay), i, i+1)
		}
	}
	return s, replay
}

// close forgets stream s of agent k and keeps unread whatever it did not
// deliver: undelivered, and the messages still waiting in its buffer.
// They were taken already (PushBrowser returned nil for them), so they are
// kept even past the unread bounds; pushes are refused until the store is
// below them again.
func (h *Hub) close(k key, s *stream, undelivered []notify.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.streams[k]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.streams, k)
		}
	}
	// Pushes send under h.mu and the stream's handler is returning, so
	// nobody else sends to or receives from s.ch any more.
	for len(s.ch) > 0 {
		undelivered = append(undelivered, <-s.ch)
	}
	if len(undelivered) == 0 {
		return
	}
	list := h.unread[k]
	for _, m := range undelivered {
		list = insertByID(list, m)
	}
	h.setUnreadLocked(k, list)
}

// keepOneLocked adds m to agent k's unread list, in id order, and reports
// whether it did: a message with the same id is replaced; a new one is
// kept only below the per-agent and overall bounds. h.mu must be held.
func (h *Hub) keepOneLocked(k key, m notify.Message) bool {
	list := h.unread[k]
	if i, found := slices.BinarySearchFunc(list, m.ID, compareID); found {
		list[i] = m
		return true
	}
	if len(list) >= h.maxUnread || h.total >= h.maxTotal {
		return false
	}
	h.setUnreadLocked(k, insertByID(list, m))
	return true
}

// insertByID inserts m into list, kept in id order, replacing a message
// with the same id.
func insertByID(list []notify.Message, m notify.Message) []notify.Message {
	i, found := slices.BinarySearchFunc(list, m.ID, compareID)
	if found {
		list[i] = m
		return list
	}
	return slices.Insert(list, i, m)
}

// setUnreadLocked stores agent k's unread list, forgetting an empty one,
// and keeps the overall count. h.mu must be held.
func (h *Hub) setUnreadLocked(k key, list []notify.Message) {
	h.total += len(list) - len(h.unread[k])
	if len(list) == 0 {
		delete(h.unread, k)
		return
	}
	h.unread[k] = list
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
