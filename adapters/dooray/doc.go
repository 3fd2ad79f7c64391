// Package dooray connects Deskkit to Dooray!: messenger notifications
// through incoming webhooks.
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
//   - NTF-1 A 2xx answer is success unless its body is Dooray!'s envelope
//     with header.isSuccessful false; 408, 429, 5xx, timeouts and
//     connection errors are retried; everything else fails for good.
package dooray
