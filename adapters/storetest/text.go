package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
)

// escapeTexts are valid texts that look like escapes to one layer or
// another between a workflow and the disk: the six characters \u0000 (no
// NUL in them), the same after a backslash, JSON and SQL quoting. Every
// store keeps them as given (SEC-3 of adapters/postgres).
var escapeTexts = []string{
	`\u0000`,
	`\\u0000`,
	`\\\u0000`,
	`a\u0000b \u0000`,
	`\'\u0000'`,
	`\"`,
	`\\`,
	`'; --`,
	`\x00 \0 \u00`,
	"\\\u0001",
}

// escapeText returns the texts of escapeTexts joined by " | ", so that one
// value holds all of them.
func escapeText() string {
	out := ""
	for i, s := range escapeTexts {
		if i > 0 {
			out += " | "
		}
		out += s
	}
	return out
}

// testTextRoundTrip: every valid text reads back exactly as written, in
// each column kind that holds caller text (plain text, jsonb maps and
// lists).
func testTextRoundTrip(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("ServiceSettings", func(t *testing.T) {
		t.Parallel()
		id := newID()
		c := fullCfg(id)
		c.Name = escapeText()
		c.Mail.FromName = escapeText()
		c.InternalResolutionText = i18n.Text{"ko": escapeText(), "en": `\u0000`}
		c.Mail.Resolve.Body = i18n.Text{"ko": `\\u0000`}
		tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Create(ctx, c) })
		got, err := getService(t, s, id)
		require.NoError(t, err)
		assert.Equal(t, c, got)

		for i, txt := range escapeTexts {
			got.Mail.FromName = txt
			got.Mail.Hold.Subject = i18n.Text{"en": txt}
			tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Update(ctx, &got) })
			again, err := getService(t, s, id)
			require.NoError(t, err, "update %d: %q", i, txt)
			assert.Equal(t, txt, again.Mail.FromName)
			assert.Equal(t, i18n.Text{"en": txt}, again.Mail.Hold.Subject)
			got = again
		}
	})
	t.Run("TriggerActions", func(t *testing.T) {
		t.Parallel()
		svc := newService(t, s)
		for i, txt := range append(escapeTexts, escapeText()) {
			tr := mkTrigger(txt, true, i)
			tr.Description = txt
			tr.All = []trigger.Condition{{Target: "title", Op: trigger.Contains, Value: txt},
				{Target: "tags", Op: trigger.Contains, Value: []string{txt, "x"}}}
			tr.Actions = []trigger.Action{
				{Kind: trigger.Notify, Recipient: trigger.RecipientGroup,
					Subject: i18n.Text{"ko": txt}, Body: i18n.Text{"ko": txt, "en": "plain"}},
				{Kind: trigger.SetField, Field: "customer_fields.note", Value: txt},
				{Kind: trigger.AddTags, Tags: []string{txt}},
			}
			trgInsert(t, s, svc, tr)
			got, err := trgGet(s, svc, tr.ID)
			require.NoError(t, err, "%q", txt)
			assert.Equal(t, tr, got, "insert %q", txt)

			tr.Actions[0].Body["en"] = txt + txt
			tr.UpdatedAt = trgAt(2)
			require.NoError(t, trgSave(s, svc, tr), "%q", txt)
			got, err = trgGet(s, svc, tr.ID)
			require.NoError(t, err, "%q", txt)
			assert.Equal(t, tr, got, "save %q", txt)
		}
	})
	t.Run("TicketFields", func(t *testing.T) {
		t.Parallel()
		svc := newService(t, s)
		tk := fullTicket(1)
		tk.Title, tk.Content = escapeText(), escapeText()
		tk.Requester.Name = `\u0000`
		tk.Tags = []string{`\u0000`, `\\u0000`}
		tk.CustomerFields = ticket.Fields{"note": escapeText(), "colors": []string{`\u0000`, `\\u0000`}}
		tk.AgentFields = ticket.Fields{"severity": `\\\u0000`}
		want := create(t, s, svc, tk)
		got, err := get(t, s, svc, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
}
