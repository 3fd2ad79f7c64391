package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbed runs the program a new user writes and checks what it promises:
// the refund trigger assigned the ticket in the billing group by round robin
// (TRG-6.1) and raised its priority, the assignee's mail was delivered by
// the host's mailer through the dispatcher (NTF-1), and the CSV history
// holds the templated reply and the solve (TKT-4).
func TestEmbed(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	mail, history, ok := strings.Cut(out.String(), "\n")
	require.True(t, ok)
	assert.Equal(t, "mail to Bo@acme.example: [1] Refund please", mail, "the first member of the group in turn")
	rows, err := csv.NewReader(strings.NewReader(history)).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(rows), 1)
	assert.Equal(t, []string{"id", "ticket_id", "at", "actor_kind", "actor_id", "event", "field", "from", "to"}, rows[0])
	var changes []string
	for _, r := range rows[1:] {
		changes = append(changes, r[5]+" "+r[6]+" "+r[7]+"→"+r[8])
	}
	assert.Contains(t, changes, "created priority normal→high")
	assert.Contains(t, changes, "created status new→open")
	assert.Contains(t, changes, "updated status open→solved")
	assert.Contains(t, strings.Join(changes, "\n"), "agent_replied comment →", "the templated reply")
}

// TestEmbed_UserCodeLines keeps the program short: the user code between
// its markers — service, agents, group, category, field, template,
// trigger, ticket, reply, solve, dispatcher and history — stays under 40
// lines.
func TestEmbed_UserCodeLines(t *testing.T) {
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(src), "// --- user code starts here ---\n")
	require.True(t, ok)
	code, _, ok := strings.Cut(rest, "// --- user code ends here ---")
	require.True(t, ok)
	n := strings.Count(strings.TrimRight(code, " \t"), "\n")
	t.Logf("user code: %d lines", n)
	assert.Less(t, n, 40)
}
