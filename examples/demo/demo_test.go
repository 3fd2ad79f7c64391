package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/smtp"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// The waits of require.Eventually: a bound on how long, not a timing check.
const (
	defaultWait = 30 * time.Second
	tick        = 20 * time.Millisecond
)

func get[T any](t *testing.T, url string) T {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var v T
	require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
	return v
}

// A mail to the support address becomes a ticket through the IMAP poller
// (MAIL-1, MAIL-2); triggers fire (TRG-6); an agent's reply over the HTTP
// API sends the manual-processing mail through SMTP (MAIL-6); SMS and
// Dooray! reach their fakes.
func TestDemo_MAIL1_MAIL6_MailBecomesTicketReplyMailsBack(t *testing.T) {
	t.Run("memory", func(t *testing.T) { mailRoundTrip(t, Config{}) })
	t.Run("sqlite", func(t *testing.T) { mailRoundTrip(t, Config{SQLite: filepath.Join(t.TempDir(), "desk.db")}) })
	t.Run("postgres", func(t *testing.T) { mailRoundTrip(t, Config{Postgres: pgtest.Schema(t)}) })
}

func mailRoundTrip(t *testing.T, cfg Config) {
	ctx := context.Background()
	d, err := Start(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, d.Close()) })
	var usage bytes.Buffer
	d.PrintUsage(&usage)
	assert.Contains(t, usage.String(), d.SMTPAddr)

	msg := "From: Lee Jun <lee@customer.example>\r\nTo: " + supportAddress + "\r\nSubject: Where is my order?\r\n" +
		"Message-ID: <demo-1@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOrder 42 has not arrived yet. 배송 언제 되나요?\r\n"
	require.NoError(t, smtp.SendMail(d.SMTPAddr, nil, "lee@customer.example", []string{supportAddress}, []byte(msg)))

	api := d.HTTPURL + "/api"
	var tk ticket.Ticket
	require.Eventually(t, func() bool {
		page := get[struct {
			Tickets []ticket.Ticket `json:"tickets"`
		}](t, api+"/tickets")
		for _, x := range page.Tickets {
			if x.Title == "Where is my order?" {
				tk = x
				return true
			}
		}
		return false
	}, defaultWait, tick)
	assert.Equal(t, ticket.ChannelEmail, tk.Channel)
	assert.Contains(t, tk.Tags, "delivery", "the delivery trigger fired")
	assert.Equal(t, d.Seed.Groups["delivery"], tk.GroupID)

	res, err := http.Post(api+"/tickets/"+tk.ID+"/replies", "application/json", strings.NewReader(`{"body":"상품이 오늘 출발했습니다. It ships today."}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)

	require.Eventually(t, func() bool {
		for _, m := range get[[]Mail](t, d.HTTPURL+"/demo/outbox-mail") {
			if len(m.To) == 1 && m.To[0] == "lee@customer.example" && strings.Contains(m.Raw, "In-Reply-To") {
				return true
			}
		}
		return false
	}, defaultWait, tick, "the manual-processing mail reaches the SMTP capture")
	require.Eventually(t, func() bool { return len(get[[]Call](t, d.HTTPURL+"/demo/sms")) > 0 }, defaultWait, tick)
	require.Eventually(t, func() bool { return len(get[[]Call](t, d.HTTPURL+"/demo/dooray")) > 0 }, defaultWait, tick)
	assert.Contains(t, get[[]Call](t, d.HTTPURL+"/demo/sms")[0].Body, "01012345678")
}

// The seed makes a Korean/English service with its categories and
// triggers (SVC-2, TRG-1).
func TestDemo_SVC2_TRG1_Seeded(t *testing.T) {
	ctx := context.Background()
	d, err := Start(ctx, Config{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, d.Close()) })
	as := d.desk.Service(serviceID).As(helpdesk.AgentID(d.Seed.AdminID))

	cats, err := as.Categories().Tree(ctx, category.Intake)
	require.NoError(t, err)
	var ko, en []string
	for _, c := range cats {
		ko, en = append(ko, c.Name["ko"]), append(en, c.Name["en"])
	}
	assert.Subset(t, ko, []string{"환불", "배송", "계정"})
	assert.Subset(t, en, []string{"Refunds", "Delivery", "Account"})
	trs, err := as.Triggers().List(ctx)
	require.NoError(t, err)
	var names []string
	for _, tr := range trs {
		names = append(names, tr.Name)
	}
	assert.ElementsMatch(t, d.Seed.Triggers, names)

	// The support mailbox the poller reads is the service's record
	// (MAIL-2), its secret masked when an admin reads it back (SEC-1).
	boxes, err := as.Mailboxes().List(ctx)
	require.NoError(t, err)
	require.Len(t, boxes, 1)
	assert.Equal(t, supportAddress, boxes[0].Address)
	assert.Equal(t, d.IMAPAddr, net.JoinHostPort(boxes[0].Host, strconv.Itoa(boxes[0].Port)))
	assert.True(t, boxes[0].Enabled)
	assert.NotEqual(t, imapPassword, boxes[0].Secret)

	// Three customers' tickets, run through the triggers: the refund goes
	// to billing with its processing category, whose templates it offers
	// (TPL-2); the parcel has the agent's reply and the customer's answer.
	page, err := as.Tickets().List(ctx, ticket.Filter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Tickets, 3)
	byTitle := map[string]ticket.Ticket{}
	for _, tk := range page.Tickets {
		byTitle[tk.Title] = tk
	}
	refund := byTitle["환불 요청드립니다"]
	assert.Equal(t, d.Seed.Groups["billing"], refund.GroupID)
	assert.Equal(t, d.Seed.Categories["refund_handling"], refund.ProcessingCategoryID)
	tpls, err := as.Templates().ForTicket(ctx, refund.ID)
	require.NoError(t, err)
	var codes []string
	for _, tp := range tpls {
		codes = append(codes, tp.Code)
	}
	assert.ElementsMatch(t, []string{"refund_done", "refund_sent"}, codes)
	parcel := byTitle["Where is my parcel?"]
	comments, err := as.Tickets().Comments(ctx, parcel.ID)
	require.NoError(t, err)
	require.Len(t, comments, 2)
	assert.False(t, comments[0].FromCustomer)
	assert.True(t, comments[1].FromCustomer)
	assert.Equal(t, ticket.StatusOpen, parcel.Status, "the customer's answer reopened it (TKT-2)")
}

// TestDemo_DRY2_TransferToDooray: an agent transfers a seeded ticket into
// the fake Dooray! project over the HTTP API; the task is created with
// the ticket's number and title, assigned through the members API, and
// the ticket's next reply reaches the task as a comment through the
// outbox (DRY-2). A second transfer is refused (ErrConflict: 409).
func TestDemo_DRY2_TransferToDooray(t *testing.T) {
	ctx := context.Background()
	d, err := Start(ctx, Config{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, d.Close()) })
	api := d.HTTPURL + "/api"
	tk := ticketBySubject(t, d, "Where is my parcel?")

	transfer := func() *http.Response {
		res, err := http.Post(api+"/tickets/"+tk.ID+"/dooray", "application/json", strings.NewReader(`{"project_id":"`+doorayProject+`"}`))
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	require.Equal(t, http.StatusCreated, transfer().StatusCode)
	link := get[helpdesk.DoorayLink](t, api+"/tickets/"+tk.ID+"/dooray")
	assert.Equal(t, doorayProject, link.ProjectID)
	require.NotEmpty(t, link.PostID)

	var task Call
	for _, c := range get[[]Call](t, d.HTTPURL+"/demo/dooray") {
		if c.Path == "/project/v1/projects/"+doorayProject+"/posts" {
			task = c
		}
	}
	require.NotEmpty(t, task.Body, "the task reached the fake's API")
	var body struct {
		Subject string `json:"subject"`
		Users   struct {
			To []struct {
				Member struct {
					ID string `json:"organizationMemberId"`
				} `json:"member"`
			} `json:"to"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal([]byte(task.Body), &body))
	assert.Equal(t, "[#"+strconv.FormatInt(tk.Number, 10)+"] "+tk.Title, body.Subject)
	require.Len(t, body.Users.To, 1)
	assert.Equal(t, memberID("minji@acme.example"), body.Users.To[0].Member.ID, "the acting admin, a project member")

	assert.Equal(t, http.StatusConflict, transfer().StatusCode, "transferred already")

	res, err := http.Post(api+"/tickets/"+tk.ID+"/replies", "application/json", strings.NewReader(`{"body":"택배사에 확인했습니다."}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	comments := "/project/v1/projects/" + doorayProject + "/posts/" + link.PostID + "/logs"
	require.Eventually(t, func() bool {
		for _, c := range get[[]Call](t, d.HTTPURL+"/demo/dooray") {
			if c.Path == comments && strings.Contains(c.Body, "택배사에 확인했습니다.") {
				return true
			}
		}
		return false
	}, defaultWait, tick, "the reply reaches the task as a comment")
}
