// Package browser delivers browser notifications to agents' open browsers
// over Server-Sent Events.
//
// A Hub is both ends of the medium: it implements notify.BrowserPusher, so
// the notify.Dispatcher hands it every message of the Browser medium, and it
// is an http.Handler the host product mounts (for example at
// /deskkit/notifications) for its agents' pages to subscribe to:
//
//	hub := browser.New(browser.Options{
//		Authenticate: func(r *http.Request) (serviceID, agentID string, err error) {
//			return sessions.Agent(r) // the host's own login
//		},
//	})
//	mux.Handle("GET /deskkit/notifications", hub)
//	d, err := notify.NewDispatcher(notify.DispatcherConfig{ /* ... */
//		Notifiers: notify.Notifiers{Browser: hub}})
//
// In the page:
//
//	const es = new EventSource("/deskkit/notifications", {withCredentials: true});
//	es.addEventListener("notification", (e) => {
//		const n = JSON.parse(e.data); // {id, subject, text, link, created_at}
//		new Notification(n.subject, {body: n.text, tag: n.id});
//	});
//
// EventSource cannot set request headers, so Authenticate usually reads the
// host's session cookie.
//
// Deskkit queues Browser messages for surge alerts with a browser template
// and for the notify_browser trigger action (trigger.NotifyBrowser: the
// ticket's assignee or its group's members), whose link is the address
// helpdesk.Config.TicketLink gives for the ticket.
//
// # Delivery
//
// Streams and unread lists belong to an agent of a service: a message goes
// to the streams whose Authenticate answered its ServiceID and Recipient,
// so two services' agents with the same id never see each other's
// messages.
//
// A message for an agent goes to every open stream (tab) of that agent. A
// message that may not reach a tab is kept in the agent's unread list and
// replayed, then cleared, when the agent next connects: when the agent has
// no open stream, when a stream's buffer is full (a slow client never holds
// up PushBrowser), and when a stream ends before writing what it was handed
// (or while writing it). The host can show that list with Hub.Unread and
// clear entries with Hub.MarkRead.
//
// Nothing PushBrowser accepts is dropped: it returns nil only for a message
// that an open stream took or that the unread list keeps. The unread store
// is bounded per agent (Options.Unread) and overall (Options.UnreadTotal);
// a message that reached no stream and finds it full is refused with an
// error wrapping ErrUnreadFull, which the Dispatcher retries after its
// back-off (and fails after its last attempt), so the outbox never shows
// it sent. Hub.Stats counts the refusals. A message that some tab of the
// agent took, but another, lagging tab could not, is kept for the lagging
// tab only while the store has room; otherwise it is counted in
// Stats.Lagged. What a closing stream hands back was accepted already and
// is kept even past the bounds; pushes are refused until the store is
// below them again.
//
// Delivery is at least once: the Dispatcher may hand a message over again,
// and a message kept for one tab may have been shown by another. The event
// id is the message id, so a page can drop repeats (a Notification tag of
// the id replaces, not adds).
//
// Message ids are assumed to be UUIDv7 strings (as Deskkit makes them), which
// sort by creation time: the unread list is kept in id order and "oldest"
// means the smallest id. A reconnecting EventSource's Last-Event-ID header
// skips only that very message: ids of one dispatcher batch are not pushed in
// id order, so an older unread message may still be unseen.
//
// The hub lives in one process: a message pushed by a dispatcher in another
// process reaches only the streams open on that process, and the unread list
// is lost with a restart. Run the dispatcher that feeds browser messages in
// the process that serves the streams (or put the hub behind one).
//
// # Streams and servers
//
// A stream lasts until its request's context ends. http.Server.Shutdown
// waits for streams that never become idle: cancel the server's BaseContext
// (or call Server.Close) to end them. The Hub lifts the server's WriteTimeout
// for its streams and sets its own deadline for each write instead, so a
// client that stops reading is cut off rather than held forever.
//
// # Rules
//
//   - NTF-4 Browser notifications reach the agents' open browsers: a
//     message of the Browser medium (its Recipient is an agent id of its
//     ServiceID) goes to every open stream of that agent of that service,
//     and is kept in the agent's unread list whenever it may not have
//     reached one (see Delivery). A push reports success only for a
//     message a stream took or the unread list keeps; one the full unread
//     store cannot keep is refused for a retry, never dropped as sent.
//     Only an authenticated agent's own messages reach a stream.
package browser
