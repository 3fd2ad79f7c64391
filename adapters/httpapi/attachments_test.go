package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/mail"
)

// The attachments of a ticket's received mail are listed without content
// and downloaded one by one, never rendered; only within their service
// (MAIL-8, SVC-1).
func TestAPI1_MAIL8_Attachments(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		rec, err := fx.desk.ReceiveMail(context.Background(), "a", "inbox", mail.Message{MessageID: "m1@customer.example",
			From: mail.Address{Name: "Yun", Address: "yun@example.com"}, Subject: "Screenshot", Text: "see attached",
			Attachments: []mail.Attachment{
				{Name: "화면.html", ContentType: "text/html; charset=utf-8", Size: 22, Content: []byte("<script>alert(1)</script>")},
				{Name: "huge.bin", ContentType: "application/octet-stream", Size: 1 << 40},
			}})
		require.NoError(t, err)
		tid := rec.TicketID

		r := fx.do(t, "a", fx.agent, "GET", "/tickets/"+tid+"/attachments", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var list []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			ContentType string `json:"content_type"`
			Kept        bool   `json:"kept"`
		}
		r.json(t, &list)
		require.Len(t, list, 2)
		assert.Equal(t, "화면.html", list[0].Name)
		assert.True(t, list[0].Kept)
		assert.False(t, list[1].Kept, "over the size limit: recorded without content")
		assert.NotContains(t, string(r.body), "script", "no content in the list")

		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tid+"/attachments/"+list[0].ID, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "<script>alert(1)</script>", string(r.body))
		assert.Equal(t, "text/html", r.header.Get("Content-Type"))
		assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
		assert.Equal(t, "sandbox", r.header.Get("Content-Security-Policy"))
		assert.Contains(t, r.header.Get("Content-Disposition"), "attachment")

		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tid+"/attachments/"+list[1].ID, nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Contains(t, r.problem(t).Detail, "size limit")

		r = fx.do(t, "b", fx.adminB, "GET", "/tickets/"+tid+"/attachments/"+list[0].ID, nil)
		assert.Equal(t, http.StatusNotFound, r.status, "another service's file")
		r = fx.do(t, "a", fx.noTicket, "GET", "/tickets/"+tid+"/attachments", nil)
		assert.Equal(t, http.StatusForbidden, r.status)
	})
}
