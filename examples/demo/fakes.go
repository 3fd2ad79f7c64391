package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	mailx "github.com/deskkit/deskkit/adapters/mail"
)

// Mail is one mail the demo's SMTP server kept (not for the support
// address: those go to the IMAP mailbox).
type Mail struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	To   []string  `json:"to"`
	// Subject and Text are the mail as read by the helpdesk's own parser
	// (adapters/mail.Parse): decoded, for the console.
	Subject string `json:"subject"`
	Text    string `json:"text"`
	Raw     string `json:"raw"`
}

// Call is one request a fake HTTP peer received.
type Call struct {
	At     time.Time `json:"at"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Body   string    `json:"body"`
}

// record is a list shared by a server's goroutines.
type record[T any] struct {
	mu   sync.Mutex
	list []T
}

func (r *record[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, v)
}

func (r *record[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.list...)
}

// serveJSON writes the list as JSON.
func (r *record[T]) serveJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r.all())
}

// smtpBackend takes mail to the support address into the IMAP INBOX and
// keeps every other mail in sent.
type smtpBackend struct {
	support string
	inbox   *imapmemserver.User
	sent    *record[Mail]
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct {
	b    *smtpBackend
	from string
	to   []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var others []string
	for _, to := range s.to {
		if strings.EqualFold(to, s.b.support) {
			if _, err := s.b.inbox.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: time.Now()}); err != nil {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailbox: " + err.Error()}
			}
			continue
		}
		others = append(others, to)
	}
	if len(others) > 0 {
		m := mailx.Parse(raw, mailx.ParseOptions{})
		s.b.sent.add(Mail{At: time.Now(), From: s.from, To: others, Subject: m.Subject, Text: m.Text, Raw: string(raw)})
	}
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// nhnSMS is a fake NHN Cloud SMS v3.0 API: one usable sender number for
// any key, and every send accepted and kept.
func nhnSMS(calls *record[Call], senderNo string) http.Handler {
	ok := map[string]any{"isSuccessful": true, "resultCode": 0, "resultMessage": "SUCCESS"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sms/v3.0/appKeys/{key}/sendNos", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"header": ok, "body": map[string]any{"totalCount": 1,
			"data": []map[string]string{{"sendNo": senderNo, "useYn": "Y", "blockYn": "N"}}}})
	})
	mux.HandleFunc("POST /sms/v3.0/appKeys/{key}/sender/{kind}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls.add(Call{At: time.Now(), Method: r.Method, Path: r.URL.Path, Body: string(body)})
		var in struct {
			RecipientList []struct {
				RecipientNo string `json:"recipientNo"`
			} `json:"recipientList"`
		}
		_ = json.Unmarshal(body, &in)
		var results []map[string]any
		for _, rc := range in.RecipientList {
			results = append(results, map[string]any{"recipientNo": rc.RecipientNo, "resultCode": 0, "resultMessage": "SUCCESS"})
		}
		writeJSON(w, map[string]any{"header": ok, "body": map[string]any{"data": map[string]any{
			"requestId": fmt.Sprintf("demo-%d", len(calls.all())), "statusCode": "2", "sendResultList": results}}})
	})
	return mux
}

// dooray is a fake Dooray!: its incoming webhooks (any path) and the part
// of its API that task transfer uses (DRY-2) — members by email (everyone
// is a member of the organisation and of every project), task creation
// and task comments. It keeps every post, task and comment.
func dooray(calls *record[Call]) http.Handler {
	ok := map[string]any{"isSuccessful": true, "resultCode": 0, "resultMessage": ""}
	var mu sync.Mutex
	next := int64(4000000000000000000) // Dooray! ids are 64-bit numbers
	newID := func() string {
		mu.Lock()
		defer mu.Unlock()
		next++
		return fmt.Sprint(next)
	}
	kept := func(r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls.add(Call{At: time.Now(), Method: r.Method, Path: r.URL.Path, Body: string(body)})
	}
	// keep keeps an API call made with the demo's token, and refuses
	// any other.
	keep := func(w http.ResponseWriter, r *http.Request) bool {
		kept(r)
		if r.Header.Get("Authorization") != "dooray-api "+doorayToken {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"header": map[string]any{"isSuccessful": false, "resultCode": -1, "resultMessage": "bad token"}})
			return false
		}
		return true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/v1/members", func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("externalEmailAddresses")
		writeJSON(w, map[string]any{"header": ok, "result": []map[string]any{{"id": memberID(email)}}, "totalCount": 1})
	})
	mux.HandleFunc("GET /project/v1/projects/{project}/members/{member}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"header": ok, "result": map[string]any{"organizationMemberId": r.PathValue("member"), "role": "member"}})
	})
	mux.HandleFunc("POST /project/v1/projects/{project}/posts", func(w http.ResponseWriter, r *http.Request) {
		if keep(w, r) {
			writeJSON(w, map[string]any{"header": ok, "result": map[string]any{"id": newID()}})
		}
	})
	mux.HandleFunc("POST /project/v1/projects/{project}/posts/{post}/logs", func(w http.ResponseWriter, r *http.Request) {
		if keep(w, r) {
			writeJSON(w, map[string]any{"header": ok, "result": map[string]any{"id": newID()}})
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { // an incoming webhook
		kept(r)
		writeJSON(w, map[string]any{"header": ok})
	})
	return mux
}

// memberID is the fake organisation member id of an email: a number, as
// Dooray!'s are.
func memberID(email string) string {
	var h uint64 = 14695981039346656037
	for _, b := range []byte(email) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return fmt.Sprint(h >> 1)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// errClosed is what a server returns after it was closed on purpose.
func serverDone(err error) bool {
	return err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, smtp.ErrServerClosed) ||
		strings.Contains(err.Error(), "use of closed network connection")
}
