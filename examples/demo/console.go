package main

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/deskkit/deskkit/helpdesk"
)

// console holds the web console: plain HTML, CSS and JavaScript modules,
// served as they are (no build step). It talks to the HTTP API under /api
// and to the demo's own /demo routes.
//
//go:embed console
var console embed.FS

// agentCookie names the agent the console acts as (demo auth: the console
// sets it when the agent picker changes; EventSource cannot send headers).
const agentCookie = "deskkit_agent"

// consoleFiles returns the console's files, rooted at its index.html.
func consoleFiles() http.Handler {
	sub, err := fs.Sub(console, "console")
	if err != nil {
		panic(err) // the embedded directory is there: a build error otherwise
	}
	return http.FileServerFS(sub)
}

// agentOf returns the agent a request acts as: the X-Agent header, else the
// console's cookie, else the seeded admin. Demo only.
func (d *Demo) agentOf(r *http.Request) string {
	if id := r.Header.Get("X-Agent"); id != "" {
		return id
	}
	if c, err := r.Cookie(agentCookie); err == nil && c.Value != "" {
		return c.Value
	}
	return d.Seed.AdminID
}

// CustomerMail is the body of POST /demo/mail: a customer's mail that the
// demo sends to the support address over its own SMTP server, as a
// customer's mail program would.
type CustomerMail struct {
	FromName string `json:"from_name"`
	From     string `json:"from"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

// sendCustomerMail serves POST /demo/mail: it sends the mail by SMTP; the
// IMAP poller then makes it a ticket (or a reply, when it answers one).
func (d *Demo) sendCustomerMail(w http.ResponseWriter, r *http.Request) {
	var in CustomerMail
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := d.SendMail(in); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// SendMail sends a customer's mail to the support address through the
// demo's SMTP server.
func (d *Demo) SendMail(in CustomerMail) error {
	from, err := mail.ParseAddress(in.From)
	if err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if strings.TrimSpace(in.Subject) == "" || strings.TrimSpace(in.Body) == "" {
		return errors.New("subject and body are required")
	}
	if strings.ContainsAny(in.Subject+in.FromName, "\r\n") {
		return errors.New("subject and name are one line each")
	}
	from.Name = in.FromName
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.demo@customer.example>\r\n",
		from.String(), supportAddress, mime.QEncoding.Encode("utf-8", in.Subject), time.Now().Format(time.RFC1123Z), time.Now().UnixNano())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(in.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	c, err := smtp.Dial(d.SMTPAddr) // loopback, plain: the demo's server has no TLS
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from.Address, []string{supportAddress}, strings.NewReader(b.String())); err != nil {
		return err
	}
	return c.Quit()
}

// Session is the answer of GET /demo/session: who the console acts as and
// whom it may switch to.
type Session struct {
	ServiceName string         `json:"service_name"`
	AgentID     string         `json:"agent_id"`
	Agents      []SessionAgent `json:"agents"`
}

// SessionAgent is an agent the console's picker offers.
type SessionAgent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// session serves GET /demo/session, read as the seeded admin whoever the
// console acts as (an agent may not list agents).
func (d *Demo) session(w http.ResponseWriter, r *http.Request) {
	admin := d.desk.Service(serviceID).As(helpdesk.AgentID(d.Seed.AdminID))
	cfg, err := admin.Configuration().Get(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	agents, err := admin.Agents().List(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := Session{ServiceName: cfg.Settings.Name, AgentID: d.agentOf(r)}
	for _, a := range agents {
		if a.Active {
			out.Agents = append(out.Agents, SessionAgent{ID: a.ID, Name: a.Name, Role: string(a.Role)})
		}
	}
	writeJSON(w, out)
}
