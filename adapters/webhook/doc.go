// Package webhook makes the HTTP callbacks of triggers (TRG-6.4): it
// POSTs the ticket's JSON to the action's URL, signed, and refuses
// targets inside the host's network.
//
// A Caller implements notify.Caller, so a notify.Dispatcher hands it every
// message of the Callback medium:
//
//	calls := webhook.New(webhook.Options{
//		Secrets: func(ctx context.Context, serviceID string) ([]string, error) {
//			return vault.CallbackSecrets(ctx, serviceID) // the host's own store
//		},
//	})
//	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Call: calls}})
//
// A receiver checks a request with Verify before it trusts it, and drops
// repeats by the Idempotency-Key header.
//
// # Rules
//
//   - TRG-6.4 A callback is one POST of the message's JSON (the ticket)
//     with Content-Type application/json, the message's idempotency key in
//     Idempotency-Key (the same on every attempt), the attempt's Unix time
//     in X-Deskkit-Timestamp and the signatures in X-Deskkit-Signature. A
//     2xx answer is success; only MaxResponseBytes of any answer are read;
//     Timeout bounds the whole call, redirects included (at most
//     MaxRedirects).
//   - SEC-2 The signature is "v1=" and the hex HMAC-SHA256 of the
//     timestamp, ".", and the body, under the service's secret. Secrets
//     rotate: Options.Secrets returns the new and the old secret during a
//     rotation, each signs, and Verify accepts a request one of the
//     receiver's secrets signed within a tolerance of its clock. The SSRF
//     guard is on by default: loopback, link-local (the metadata address
//     169.254.169.254 too), private, unique-local, shared, unspecified,
//     multicast and reserved addresses are refused, IPv4-mapped IPv6 and
//     NAT64/6to4 forms alike, unless Guard.Allow lists them. The check runs
//     on the URL (hosts written as ambiguous numbers such as 2130706433 or
//     0177.0.0.1 are refused) and, in the dialer, on the address each
//     connection actually goes to, after name resolution and on every
//     redirect, so no DNS answer slips past it; no proxy is used.
//   - NTF-1 Refused targets, bad URLs, a service without a secret and 4xx
//     answers other than 408, 425 and 429 fail for good (notify.Permanent);
//     timeouts, connection errors, 408, 425, 429 and 5xx are retried.
//     Errors never include the URL, whose path may hold a token (SEC-1).
package webhook
