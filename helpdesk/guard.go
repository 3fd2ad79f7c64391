package helpdesk

import (
	"context"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// guarded are the repositories a call works with: an id that is not text a
// store keeps (invalid UTF-8, a NUL byte) names no object, so Get answers
// ErrNotFound without asking the store (SEC-3). It catches every id a
// caller passes that the workflows look up — a ticket's assignee, group and
// categories, a forward's target, a template reply's template — where the
// area methods' own checkID calls catch the ids of the call itself.
// (Unguarded, on Postgres bun failed the query with an untyped error for a
// NUL, and turned each invalid byte into U+FFFD, which may name another
// object.)
type guarded struct{ Repos }

func (g guarded) Tickets() ticket.Repository             { return gTickets{g.Repos.Tickets()} }
func (g guarded) Agents() agent.Repository               { return gAgents{g.Repos.Agents()} }
func (g guarded) Groups() agent.GroupRepository          { return gGroups{g.Repos.Groups()} }
func (g guarded) Categories() category.Repository        { return gCategories{g.Repos.Categories()} }
func (g guarded) Templates() template.Repository         { return gTemplates{g.Repos.Templates()} }
func (g guarded) Recipients() notify.RecipientRepository { return gRecipients{g.Repos.Recipients()} }
func (g guarded) Triggers() trigger.Repository           { return gTriggers{g.Repos.Triggers()} }

type gTickets struct{ ticket.Repository }

func (r gTickets) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	return r.Repository.Get(ctx, id)
}

type gAgents struct{ agent.Repository }

func (r gAgents) Get(ctx context.Context, id string) (agent.Agent, error) {
	if err := checkID("agent", id); err != nil {
		return agent.Agent{}, err
	}
	return r.Repository.Get(ctx, id)
}

type gGroups struct{ agent.GroupRepository }

func (r gGroups) Get(ctx context.Context, id string) (agent.Group, error) {
	if err := checkID("group", id); err != nil {
		return agent.Group{}, err
	}
	return r.GroupRepository.Get(ctx, id)
}

type gCategories struct{ category.Repository }

func (r gCategories) Get(ctx context.Context, id string) (category.Category, error) {
	if err := checkID("category", id); err != nil {
		return category.Category{}, err
	}
	return r.Repository.Get(ctx, id)
}

type gTemplates struct{ template.Repository }

func (r gTemplates) Get(ctx context.Context, id string) (template.Template, error) {
	if err := checkID("template", id); err != nil {
		return template.Template{}, err
	}
	return r.Repository.Get(ctx, id)
}

type gRecipients struct{ notify.RecipientRepository }

func (r gRecipients) Get(ctx context.Context, id string) (notify.Recipient, error) {
	if err := checkID("recipient", id); err != nil {
		return notify.Recipient{}, err
	}
	return r.RecipientRepository.Get(ctx, id)
}

type gTriggers struct{ trigger.Repository }

func (r gTriggers) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	if err := checkID("trigger", id); err != nil {
		return trigger.Trigger{}, err
	}
	return r.Repository.Get(ctx, id)
}
