package helpdesk_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// finishing is a store whose repositories take the Finisher hint and
// watch the domain keep its word: after Finish, exactly one repository
// is asked for (the announced last call).
type finishing struct {
	*memory.Store // and its notify.Queue
	mu            sync.Mutex
	finished      int      // transactions whose last call was announced
	misuses       []string // broken announcements: more than the one call after Finish
	lastCalls     []string // the repository each announced last call used
}

func (s *finishing) Tx(ctx context.Context, id string, fn func(helpdesk.Repos) error) error {
	return s.Store.Tx(ctx, id, func(r helpdesk.Repos) error {
		f := &finishRepos{}
		err := fn(finisherRepos{watchedRepos{Repos: r, use: f.use}, f})
		s.mu.Lock()
		defer s.mu.Unlock()
		if !f.announced {
			return err
		}
		s.finished++
		s.lastCalls = append(s.lastCalls, f.after...)
		// The announced call itself may be refused (the transaction then
		// rolls back as always); nothing may come after it.
		if len(f.after) != 1 {
			misuse := "repositories asked for after Finish: " + join(f.after)
			s.misuses = append(s.misuses, misuse)
			return errors.New("finishing store: " + misuse) // fails the workflow that broke its word
		}
		return err
	})
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// finishRepos records the repositories asked for after Finish.
type finishRepos struct {
	announced bool
	after     []string
}

func (f *finishRepos) Finish() { f.announced = true }

func (f *finishRepos) use(name string) {
	if f.announced {
		f.after = append(f.after, name)
	}
}

// watchedRepos calls use with the name of every repository asked for.
type watchedRepos struct {
	helpdesk.Repos
	use func(name string)
}

func (f watchedRepos) Service() helpdesk.ServiceRepository {
	f.use("Service")
	return f.Repos.Service()
}
func (f watchedRepos) Tickets() ticket.Repository { f.use("Tickets"); return f.Repos.Tickets() }
func (f watchedRepos) Agents() agent.Repository   { f.use("Agents"); return f.Repos.Agents() }
func (f watchedRepos) Groups() agent.GroupRepository {
	f.use("Groups")
	return f.Repos.Groups()
}
func (f watchedRepos) Logins() agent.LoginLog        { f.use("Logins"); return f.Repos.Logins() }
func (f watchedRepos) Menus() agent.MenuRepository   { f.use("Menus"); return f.Repos.Menus() }
func (f watchedRepos) Outbox() notify.Outbox         { f.use("Outbox"); return f.Repos.Outbox() }
func (f watchedRepos) Surge() notify.SurgeRepository { f.use("Surge"); return f.Repos.Surge() }
func (f watchedRepos) Recipients() notify.RecipientRepository {
	f.use("Recipients")
	return f.Repos.Recipients()
}
func (f watchedRepos) Categories() category.Repository {
	f.use("Categories")
	return f.Repos.Categories()
}
func (f watchedRepos) Fields() field.Repository { f.use("Fields"); return f.Repos.Fields() }
func (f watchedRepos) Templates() template.Repository {
	f.use("Templates")
	return f.Repos.Templates()
}
func (f watchedRepos) Triggers() trigger.Repository { f.use("Triggers"); return f.Repos.Triggers() }
func (f watchedRepos) DoorayLinks() helpdesk.DoorayLinkRepository {
	f.use("DoorayLinks")
	return f.Repos.DoorayLinks()
}
func (f watchedRepos) Mail() mail.Repository { f.use("Mail"); return f.Repos.Mail() }
func (f watchedRepos) MailRecipients() mail.RecipientRepository {
	f.use("MailRecipients")
	return f.Repos.MailRecipients()
}

// finisherRepos are watched repositories that take the Finisher hint.
type finisherRepos struct {
	watchedRepos
	f *finishRepos
}

func (r finisherRepos) Finish() { r.f.Finish() }

// TestFinisher_AnnouncesOnlyTheLastCall_STO1: in every ticket workflow,
// the desk announces the last repository call (helpdesk.Finisher) only
// where it is the last — one repository call follows Finish and the
// transaction succeeds — and it does announce it in the workflows whose
// last write it knows ahead: ticket creates and updates, the automatic
// mail's outbox write, the round-robin cursor advance.
func TestFinisher_AnnouncesOnlyTheLastCall_STO1(t *testing.T) {
	s := &finishing{Store: memory.New()}
	var names []string
	storetest.TicketWorkflows(t, s, func(name string, fn func() error) {
		t.Helper()
		s.mu.Lock()
		before := s.finished
		s.mu.Unlock()
		require.NoError(t, fn(), name)
		s.mu.Lock()
		if s.finished > before {
			names = append(names, name)
		}
		s.mu.Unlock()
	})
	assert.Empty(t, s.misuses)
	assert.Equal(t, []string{
		"create", "create, service cached", "create, service cached again", "create with an idempotency key",
		"update by an agent", "update by an agent, service cached", "agent reply, service cached", "agent reply",
		"agent internal note", "agent reply with an idempotency key", "status change to pending", "customer reply",
		"forward to an agent", "forward to a round-robin group", "round-robin pick", "solve",
		"create with a round-robin trigger",
	}, names, "the workflows whose last call is announced")
	assert.ElementsMatch(t, []string{"Tickets", "Tickets", "Tickets", "Tickets", "Tickets", "Tickets", "Outbox", "Outbox",
		"Tickets", "Outbox", "Outbox", "Tickets", "Tickets", "Tickets", "Groups", "Outbox", "Tickets"}, s.lastCalls)
}

// TestFinisher_Conformance_STO1: every conformance case's workflow runs on
// a store that takes the Finisher hint and fails any transaction in which
// the desk announced a last call that was not the last.
func TestFinisher_Conformance_STO1(t *testing.T) {
	storetest.Run(t, storetest.Options{Queue: true, New: func(*testing.T) helpdesk.Store { return &finishing{Store: memory.New()} }})
}
