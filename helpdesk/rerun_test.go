package helpdesk_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// rerunning is a store that runs every transaction's function twice, as
// Store.Tx allows, rolling back the first run. With atFirstCall the first
// run stops where adapters/postgres learns that its cached service record
// was stale: at the transaction's first repository call (or, when there
// is none, at its end); otherwise the first run goes to its end, whatever
// it returned.
type rerunning struct {
	*memory.Store // and its notify.Queue
	atFirstCall   bool
	reruns        atomic.Int64
}

var errStartOver = errors.New("rerunning store: start over")

func (s *rerunning) Tx(ctx context.Context, id string, fn func(helpdesk.Repos) error) error {
	err := s.firstRun(ctx, id, fn)
	if !errors.Is(err, errStartOver) {
		return err
	}
	s.reruns.Add(1)
	return s.Store.Tx(ctx, id, fn)
}

// firstRun runs fn and rolls it back, answering errStartOver.
func (s *rerunning) firstRun(ctx context.Context, id string, fn func(helpdesk.Repos) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p != errStartOver {
				panic(p)
			}
			err = errStartOver
		}
	}()
	return s.Store.Tx(ctx, id, func(r helpdesk.Repos) error {
		if s.atFirstCall {
			r = watchedRepos{Repos: r, use: func(string) { panic(errStartOver) }}
		}
		_ = fn(r)
		return errStartOver
	})
}

// TestTx_FunctionsRunTwice_STO1: every desk workflow of the conformance
// suite gives the same answers when each of its transactions' functions
// runs twice, the first run rolled back: the desk keeps nothing of a run
// that did not commit. The repository cases, which call Tx with functions
// of their own (some coordinating concurrent transactions), are skipped.
func TestTx_FunctionsRunTwice_STO1(t *testing.T) {
	storetest.Run(t, storetest.Options{Queue: true, New: func(t *testing.T) helpdesk.Store {
		if !strings.Contains(t.Name(), "Workflow") {
			t.Skip("a repository case: its own Tx functions")
		}
		return &rerunning{Store: memory.New()}
	}})
}

// TestTx_FunctionsStartOverAtFirstCall_STO1: every desk workflow, each
// transaction started over at its first repository call, as
// adapters/postgres does when its cached service record is stale.
func TestTx_FunctionsStartOverAtFirstCall_STO1(t *testing.T) {
	storetest.Run(t, storetest.Options{Queue: true, New: func(t *testing.T) helpdesk.Store {
		if !strings.Contains(t.Name(), "Workflow") {
			t.Skip("a repository case: its own Tx functions")
		}
		return &rerunning{Store: memory.New(), atFirstCall: true}
	}})
}

// TestTx_TicketWorkflowsRunTwice_STO1: the ticket workflows, each
// transaction's function run twice.
func TestTx_TicketWorkflowsRunTwice_STO1(t *testing.T) {
	s := &rerunning{Store: memory.New()}
	storetest.TicketWorkflows(t, s, func(name string, fn func() error) {
		t.Helper()
		before := s.reruns.Load()
		require.NoError(t, fn(), name)
		assert.Greater(t, s.reruns.Load(), before, name)
	})
}

// TestTx_InviteOnceWhenRunTwice_AGT1: an invitation goes to the directory
// once, however often the transaction that checked the caller ran.
func TestTx_InviteOnceWhenRunTwice_AGT1(t *testing.T) {
	ctx := context.Background()
	dir := agent.NewMemoryDirectory(agent.Member{Account: "admin@acme.example", Name: "Admin", Email: "admin@acme.example"},
		agent.Member{Account: "agent@acme.example", Name: "Agent", Email: "agent@acme.example"},
		agent.Member{Account: "f@other.example", Name: "Foreign", Email: "f@other.example"})
	var s *rerunning
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) {
		s = &rerunning{Store: c.Store.(*memory.Store)}
		c.Store, c.Directory = s, dir
	})
	before := s.reruns.Load()
	require.NoError(t, f.admin.Agents().Invite(ctx, "jun@acme.example", "Lee Jun"))
	assert.Greater(t, s.reruns.Load(), before)
	assert.Equal(t, []agent.Member{{Account: "jun@acme.example", Name: "Lee Jun", Email: "jun@acme.example"}}, dir.Invited())
}

// TestTx_CopyReportWhenRunTwice_STO2: a copy whose transactions each run
// twice (the first run rolled back, in the source and the target)
// reports and stores each ticket once.
func TestTx_CopyReportWhenRunTwice_STO2(t *testing.T) {
	ctx := context.Background()
	from, to := &rerunning{Store: memory.New()}, &rerunning{Store: memory.New()}
	old, err := helpdesk.New(helpdesk.Config{Store: from})
	require.NoError(t, err)
	defer old.Close()
	_, err = old.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	for _, title := range []string{"Refund", "Login", "Invoice"} {
		_, err := old.Service("acme").As(helpdesk.System).Tickets().Create(ctx, ticket.New{Title: title, Content: "…", Channel: ticket.ChannelHelpCenter})
		require.NoError(t, err)
	}
	rep, err := helpdesk.CopyService(ctx, from, to, "acme", helpdesk.CopyOptions{PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Tickets)
	assert.Positive(t, to.reruns.Load())
	desk, err := helpdesk.New(helpdesk.Config{Store: to})
	require.NoError(t, err)
	defer desk.Close()
	next, err := desk.Service("acme").As(helpdesk.System).Tickets().Create(ctx, ticket.New{Title: "After", Content: "…", Channel: ticket.ChannelHelpCenter})
	require.NoError(t, err)
	assert.Equal(t, int64(4), next.Number)
}
