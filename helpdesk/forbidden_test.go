package helpdesk_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// TestForbidden_SVC3_NamesTheCall: a refusal reads "forbidden: <the
// Session area method> ..." and says what the call needs, so a log line tells
// which call an actor may not make.
func TestForbidden_SVC3_NamesTheCall(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tk := f.ticket(t)

	_, err := f.agent.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support"})
	assert.EqualError(t, err, fmt.Sprintf(`forbidden: Groups.Create needs the admin role; agent %q does not have it`, f.agentID))

	err = f.agent.Tickets().ExportHistory(ctx, &bytes.Buffer{}, helpdesk.CSV, ticket.ChangeFilter{})
	assert.EqualError(t, err, fmt.Sprintf(`forbidden: Tickets.ExportHistory needs the export permission; agent %q does not have it`, f.agentID))

	_, err = f.agent.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "thanks"})
	assert.EqualError(t, err, `forbidden: Tickets.CustomerReply: only the system actor speaks for the customer`)

	_, err = f.acme.As(helpdesk.AgentID("ghost")).Tickets().Get(ctx, tk.ID)
	assert.EqualError(t, err, `forbidden: Tickets.Get: "ghost" is not an agent of service "acme"`)

	_, err = f.acme.As(helpdesk.AgentID(f.foreignAgentID)).Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version})
	assert.EqualError(t, err, fmt.Sprintf(`forbidden: Tickets.Update: %q is not an agent of service "acme"`, f.foreignAgentID),
		"an agent of another service is no agent here (SVC-1)")
}
