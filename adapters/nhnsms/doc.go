// Package nhnsms sends SMS and LMS through the NHN Cloud SMS API v3.0 and
// lists an app key's registered sender numbers.
//
// A Client implements notify.SMSSender, so a notify.Dispatcher hands it
// every message of the SMS medium, and helpdesk's SMSNumbers port, so the
// helpdesk can check a service's keys and sender numbers (SMS-1):
//
//	sms := nhnsms.New(nhnsms.Options{
//		Credentials: func(ctx context.Context, serviceID string) (nhnsms.Credentials, error) {
//			c, err := desk.SMSCredentials(ctx, serviceID)
//			return nhnsms.Credentials(c), err
//		},
//	})
//	desk, err := helpdesk.New(helpdesk.Config{Store: store, SMSNumbers: sms})
//	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{SMS: sms}})
//
// The app key goes in the URL path, the secret key in the X-Secret-Key
// header; Options.BaseURL points the client at another host (a test
// server). Neither key appears in an error message.
//
// # Rules
//
//   - SMS-1 A service's keys are valid when the sender-number list
//     (GET …/sendNos) can be read with them; a number is usable when its
//     useYn is Y and its blockYn N (SenderNumbers returns those). SendSMS
//     sends from the message's Payload.From.Address, which must be one of
//     the numbers the service uses (else ErrUnregisteredSender, before any
//     call), or from the service's first number.
//   - SMS-2 A text of at most 90 bytes in EUC-KR goes as SMS (POST
//     …/sender/sms); a longer one as LMS (POST …/sender/mms) with a title
//     of at most 40 bytes (Payload.Subject, or the text's first line, cut
//     on a character boundary) and a body of at most 2,000 bytes. A longer
//     body is refused with ErrTooLong — never cut or split, so no customer
//     gets half a message. A character EUC-KR cannot carry (an emoji) is
//     refused with an *EncodingError before any call. Recipients are
//     domestic numbers ("010-1234-5678", "+82 10 …"); other countries are
//     refused.
//   - NTF-1 Success is decided by the answer's header.isSuccessful and
//     resultCode and by each recipient's resultCode, not by the HTTP
//     status alone. Failures are classified for the Dispatcher's retry:
//     HTTP 408, 429, 5xx, transport errors and timeouts, an answer without
//     the API's header, and the API's system errors (-9999, -2021) are
//     temporary and retried; every other failure (bad keys, unregistered or
//     blocked sender, bad recipient, opt-out, monthly limit) is marked
//     notify.Permanent and fails the message at once.
package nhnsms
