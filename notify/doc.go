// Package notify delivers what Deskkit sends — mail, SMS, Dooray!
// messages, browser notifications and HTTP callbacks — through an outbox: a
// message is stored in the same transaction as the change that caused it,
// then a Dispatcher claims it, calls the notifier for its medium, and marks
// it sent, retries it with back-off, or fails it for good.
//
// A crash loses nothing: an unfinished claim expires and the message is
// claimed again (at least once; the idempotency key lets receivers drop
// repeats). A host delivers the outbox with a Dispatcher: Run in a
// long-running process; RunOnce, which delivers what is due and returns,
// from a test, a command-line tool or a scheduled (serverless) function;
// Drain to return only once nothing is pending.
//
// It also holds surge alerts and external recipients. Storage is behind
// Outbox, Queue, RecipientRepository and SurgeRepository; the notifiers
// (Mailer, SMSSender, DoorayPoster, BrowserPusher, Caller) are the host's,
// or adapters/browser for browser notifications. Package helpdesk writes
// the messages (automatic mails, trigger actions, surge alerts) and hands
// out a Dispatcher for its store (Desk.Dispatcher).
//
// # Rules
//
//   - NTF-1 Every outgoing message is a Message in the service's outbox,
//     written with the change that caused it (Prepare: it needs an id and an
//     idempotency key; a key the service has already is skipped, so a
//     message is never queued twice). A Dispatcher claims due messages
//     under a lease (Queue.Claim: one owner at a time, an attempt counted)
//     and calls the notifier of the medium. A success is sent; a failure is
//     retried with exponential back-off (RetryPolicy: 30s doubling up to 1h,
//     ±20% jitter) and fails for good after MaxAttempts (8), at once when
//     the error is Permanent or the medium has no notifier, keeping the last
//     error. A notifier that panics, or that outlives its deadline, fails
//     the attempt like an error (the process lives on); a message claimed
//     more than MaxAttempts times (its attempts ended in crashes) fails for
//     good unsent. Each outcome is recorded as its send returns. A send
//     never outlasts its lease; a claim a crashed or stopping
//     dispatcher did not finish becomes claimable again, so a message is
//     delivered at least once, and its idempotency key lets the receiver
//     drop repeats. An admin can retry a failed message (Message.Retry).
//   - NTF-2 A SurgeRule alerts when new tickets pile up: when the tickets
//     created in the last Window reach Threshold, on a weekday it is enabled
//     for (in its time zone), and the last alert is at least Cooldown ago
//     (SurgeRule.Due). Package helpdesk checks it on every new ticket under
//     the surge lock, so several processes alert once.
//   - NTF-3 The targets of an alert are agents of the service and external
//     Recipients: people who do not use the helpdesk, with a name and an
//     email, a phone or a Dooray! hook URL (one at least). Admins create,
//     change, delete and list them (helpdesk's Recipients.Create ...); a
//     hook URL reads back masked (helpdesk's SEC-1).
//   - NTF-4 A message travels by one Medium: email, SMS, Dooray!, browser
//     (an agent's open browsers) or callback. A surge alert has a Template
//     per medium, per language, with the codes #{count}, #{window},
//     #{threshold} and #{service}; it reaches agents by email and browser,
//     and external recipients by email, SMS and Dooray!.
//   - SMS-2 SMS messages go to the host's SMSSender with the text rendered;
//     choosing the sender number and sending a long text as LMS are the
//     sender's.
//   - DRY-4 Dooray! messenger notifications go to incoming-webhook URLs —
//     the trigger action of TRG-6.5 and surge alerts to external recipients
//     with a hook — through the host's DoorayPoster.
package notify
