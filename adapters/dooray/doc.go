// Package dooray connects Deskkit to Dooray!: messenger notifications
// through incoming webhooks, and ticket transfer into project tasks.
//
// Tasks implements helpdesk.DoorayTasks on a Client of the REST API, and
// Notifier routes the Dooray medium: task comments to the task API with
// the service's token, everything else to its incoming webhook:
//
//	api := dooray.NewClient(dooray.ClientOptions{}) // BaseURL: another cloud
//	desk, err := helpdesk.New(helpdesk.Config{Store: store, DoorayTasks: dooray.Tasks{Client: api}})
//	n := dooray.Notifier{Hooks: dooray.NewHookPoster(dooray.HookOptions{}), Client: api, Token: desk.DoorayToken}
//	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Dooray: n}})
//
// A HookPoster implements notify.DoorayPoster, so a notify.Dispatcher
// hands it every message of the Dooray medium (trigger actions, surge
// alerts):
//
//	hooks := dooray.NewHookPoster(dooray.HookOptions{BotName: "ACME Helpdesk"})
//	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Dooray: hooks}})
//
// # Rules
//
//   - DRY-4 A message is one POST of {"botName", "botIconImage", "text",
//     "attachments"} to the incoming-webhook URL the admin entered (the
//     message's recipient). The text is the action's template with its
//     codes already rendered from the ticket (TRG-6.5, TPL-4); a message
//     with a subject or a link (a surge alert) gets one attachment titled
//     by the subject and linking to the link; a message whose JSON is a
//     hook message is sent as it is. The hook URL is a credential: it is
//     stored write-only and read back masked by the helpdesk, and it never
//     appears in an error here (SEC-1). Hook URLs pass the SSRF guard of
//     adapters/webhook (SEC-2), allow-list included.
//   - DRY-2 A transfer resolves the agent's email to an organisation
//     member (GET /common/v1/members) and checks project membership (GET
//     …/members/{id}; 404 or a leaver is not a member); otherwise the
//     representative registrant is resolved and assigned. The task is POST
//     …/projects/{id}/posts with the subject and a text/x-markdown body; a
//     comment is POST …/posts/{id}/logs. Every call sends Authorization:
//     dooray-api TOKEN. Ids arrive as strings or as bare 64-bit numbers and
//     decode into ID without loss. A 429 is waited out (Retry-After, else
//     the one-second refill of the token bucket) and tried again, at most
//     RateLimitRetries times, then returned as a temporary *APIError with
//     the rate-limit headers read. The status and header.isSuccessful both
//     decide success. Dooray! has no idempotency key: a comment retried
//     after a lost answer may show twice.
//     Two-way: ProjectHook is the http.Handler of Dooray! project
//     hooks. It reads hookEventType or webhookType, hookVersion or version,
//     and hands the event to helpdesk's Desk.DoorayHook: a new comment
//     (postCommentCreated) on a linked task becomes one internal note on
//     the ticket, never sent back to the task; a workflow change
//     (postWorkflowChanged: post.workflowClass, post.workflow.class or
//     post.closed) is recorded in the ticket's history once. Dooray! signs
//     nothing: the per-service token in the URL (Dooray.RotateHookToken)
//     is checked in constant time, and a wrong one answers 404. Replays
//     change nothing.
//   - NTF-1 A 2xx answer is success unless its body is Dooray!'s envelope
//     with header.isSuccessful false; 408, 429, 5xx, timeouts and
//     connection errors are retried; everything else fails for good.
package dooray
