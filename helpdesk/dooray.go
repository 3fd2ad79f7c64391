package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/notify"
)

// DoorayProject is a Dooray! project tickets can be transferred into
// (DRY-1).
type DoorayProject struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"` // the project's URL
	ID      string `json:"id"`                // the project id, a 64-bit number
	// Registrant is the representative registrant's account (their
	// email in the organisation): the task's assignee when the agent
	// transferring is not a member of the project (DRY-2).
	Registrant string `json:"registrant"`
}

// DooraySettings are a service's Dooray! task-transfer settings (DRY-1,
// DRY-3). Changed only through Session.Dooray; the tenant token is
// write-only and read back masked (SEC-1).
type DooraySettings struct {
	// Active turns transfer on; off (paused) keeps everything but
	// refuses transfers and stops sending comments to tasks (DRY-3).
	Active   bool            `json:"active"`
	OrgName  string          `json:"org_name,omitempty"`
	OrgID    string          `json:"org_id,omitempty"`
	Token    string          `json:"token,omitempty"` // the tenant's API token
	Projects []DoorayProject `json:"projects,omitempty"`
	// HookToken is the unguessable token of the service's project-hook
	// URL (DoorayHook); set by Dooray.RotateHookToken only, read back
	// masked.
	HookToken string `json:"hook_token,omitempty"`
}

func (s DooraySettings) clone() DooraySettings {
	s.Projects = slices.Clone(s.Projects)
	return s
}

func (s DooraySettings) masked() DooraySettings {
	s = s.clone()
	if s.Token != "" {
		s.Token = text.Masked
	}
	if s.HookToken != "" {
		s.HookToken = text.Masked
	}
	return s
}

// project returns the project with that id.
func (s DooraySettings) project(id string) (DoorayProject, bool) {
	i := slices.IndexFunc(s.Projects, func(p DoorayProject) bool { return p.ID == id })
	if i < 0 {
		return DoorayProject{}, false
	}
	return s.Projects[i], true
}

// check records every problem of s on c.
func (s DooraySettings) check(c *errs.Collector) {
	text.Check(c, "org_name", s.OrgName, true, text.NameBytes)
	checkDoorayID(c, "org_id", s.OrgID)
	text.Check(c, "token", s.Token, true, text.NameBytes)
	for i, p := range s.Projects {
		f := fmt.Sprintf("projects[%d].", i)
		text.Check(c, f+"name", p.Name, true, text.NameBytes)
		text.Check(c, f+"address", p.Address, false, text.URLBytes)
		checkDoorayID(c, f+"id", p.ID)
		text.CheckEmail(c, f+"registrant", p.Registrant)
		if slices.IndexFunc(s.Projects, func(q DoorayProject) bool { return q.ID == p.ID }) != i {
			c.Add(f+"id", "project %q is listed twice", p.ID)
		}
	}
}

// checkDoorayID checks a Dooray! id: a 64-bit unsigned number, as text.
func checkDoorayID(c *errs.Collector, field, id string) {
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		c.Add(field, "%q is not a Dooray! id (a number)", id)
	}
}

// DoorayLink ties a ticket to the Dooray! task it was transferred into
// (DRY-2).
type DoorayLink struct {
	TicketID  string    `json:"ticket_id"`
	ProjectID string    `json:"project_id"`
	PostID    string    `json:"post_id"`
	CreatedAt time.Time `json:"created_at"`
}

// DoorayLinkRepository stores a service's ticket ↔ task links. The store
// persists and reads; it makes no rule checks.
type DoorayLinkRepository interface {
	// Insert stores a link; ErrConflict when the ticket, or the task, is
	// linked already.
	Insert(ctx context.Context, l DoorayLink) error
	// ByTicket returns the ticket's link, or ErrNotFound.
	ByTicket(ctx context.Context, ticketID string) (DoorayLink, error)
	// ByPost returns the link of a task, or ErrNotFound.
	ByPost(ctx context.Context, postID string) (DoorayLink, error)
}

// DoorayTask is a task to create (DoorayTasks.CreateTask).
type DoorayTask struct {
	Token     string // the tenant token
	ProjectID string
	Subject   string
	Markdown  string
	// AgentEmail is the transferring agent's email: the assignee when a
	// member of the project; else RegistrantEmail (DRY-2).
	AgentEmail      string
	RegistrantEmail string
}

// DoorayTasks creates Dooray! tasks (DRY-2); adapters/dooray.Tasks
// implements it.
type DoorayTasks interface {
	CreateTask(ctx context.Context, t DoorayTask) (postID string, err error)
}

// DoorayTaskRecipient prefixes the recipient of an outbox message that
// adds a comment to a task: "dooray-task:PROJECT/POST" (DRY-2). The
// Dooray! notifier (adapters/dooray.Notifier) routes it to the task API.
const DoorayTaskRecipient = "dooray-task:"

// FieldDoorayTask is the history field of a transfer: To is
// "PROJECT/POST".
const FieldDoorayTask = "dooray_task"

// Dooray is the Dooray! task-transfer area of a Session (Session.Dooray).
type Dooray struct{ s *Session }

// Dooray returns the service's Dooray! transfer area (DRY-1..3).
func (s *Session) Dooray() Dooray { return Dooray{s} }

// Get returns the service's Dooray! settings (admin), token masked.
func (h Dooray) Get(ctx context.Context) (DooraySettings, error) {
	var out DooraySettings
	err := h.s.run(ctx, "Dooray.Get", permSettings, func(o *op) error {
		out = o.svc.Dooray.masked()
		return nil
	})
	return out, err
}

// Update replaces the service's Dooray! settings (admin, DRY-1, DRY-3):
// organisation name and id, tenant token (sent back masked: the stored
// one is kept), projects, and Active (false pauses). Every bad field is
// named in a *ValidationError. Returned masked.
func (h Dooray) Update(ctx context.Context, set DooraySettings) (DooraySettings, error) {
	out, err := h.s.writeConfig(ctx, "Dooray.Update", func(_ *op, cfg *ServiceConfig) error {
		set = set.clone()
		if text.IsMasked(set.Token) {
			if cfg.Dooray.Token == "" || set.Token != text.Masked {
				return maskedProblem("token", "no token is stored")
			}
			set.Token = cfg.Dooray.Token
		}
		set.HookToken = cfg.Dooray.HookToken // RotateHookToken's
		var c errs.Collector
		if set.check(&c); c.Err() != nil {
			return c.Err()
		}
		cfg.Dooray = set
		return nil
	})
	return result(out.Dooray.masked(), err)
}

// Projects returns the projects a ticket can be transferred into (ticket
// work, DRY-2): the registered ones while transfer is on, none while it is
// paused or not set up (DRY-3). Agents pick from it; the settings
// themselves (Get) are the admins'.
func (h Dooray) Projects(ctx context.Context) ([]DoorayProject, error) {
	var out []DoorayProject
	err := h.s.run(ctx, "Dooray.Projects", permTicketWork, func(o *op) error {
		out = nil
		if set := o.svc.Dooray; set.Active && set.Token != "" {
			out = slices.Clone(set.Projects)
		}
		return nil
	})
	if out == nil {
		out = []DoorayProject{}
	}
	return out, err
}

// Link returns the ticket's Dooray! task, or ErrNotFound (ticket work).
func (h Dooray) Link(ctx context.Context, ticketID string) (DoorayLink, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return DoorayLink{}, err
	}
	var out DoorayLink
	err := h.s.run(ctx, "Dooray.Link", permTicketWork, func(o *op) (err error) {
		if _, err = o.r.Tickets().Get(ctx, ticketID); err != nil {
			return err
		}
		out, err = o.r.DoorayLinks().ByTicket(ctx, ticketID)
		return err
	})
	return out, err
}

// Transfer creates a task for the ticket in a registered project and
// links them (ticket work, DRY-2): the task's subject is "[#N] title",
// its body the requester and the content in markdown, its assignee the
// acting agent when a member of the project, else the project's
// representative registrant. Later comments on the ticket go to the task
// through the outbox. Refused while transfer is paused (DRY-3), for an
// unknown project, and for a ticket linked already (ErrConflict). The
// task is created outside any transaction, through the desk's
// DoorayTasks port; if the link cannot be stored after, the task stays
// in Dooray! unlinked (the error says so).
func (h Dooray) Transfer(ctx context.Context, ticketID, projectID string) (DoorayLink, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return DoorayLink{}, err
	}
	if h.s.desk.doorayTasks == nil {
		return DoorayLink{}, errs.New(ErrInvalid, "Dooray!: the desk has no DoorayTasks port (helpdesk.Config.DoorayTasks)")
	}
	var task DoorayTask
	err := h.s.run(ctx, "Dooray.Transfer", permTicketWork, func(o *op) error {
		set := o.svc.Dooray
		if !set.Active || set.Token == "" {
			return errs.New(ErrInvalid, "Dooray! transfer is paused or not set up for the service (DRY-3)")
		}
		p, ok := set.project(projectID)
		if !ok {
			return &ValidationError{Problems: []Problem{{Field: "project_id", Reason: fmt.Sprintf("%q is not a registered Dooray! project", projectID)}}}
		}
		t, err := o.r.Tickets().Get(ctx, ticketID)
		if err != nil {
			return err
		}
		if l, err := o.r.DoorayLinks().ByTicket(ctx, ticketID); err == nil {
			return errs.New(ErrConflict, "ticket %q is already transferred to Dooray! task %s/%s", ticketID, l.ProjectID, l.PostID)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		task = DoorayTask{Token: set.Token, ProjectID: p.ID, RegistrantEmail: p.Registrant,
			Subject: "[#" + strconv.FormatInt(t.Number, 10) + "] " + t.Title, Markdown: taskMarkdown(t)}
		if h.s.actor.Kind == ticket.ActorAgent {
			a, err := o.r.Agents().Get(ctx, h.s.actor.ID)
			if err != nil {
				return err
			}
			task.AgentEmail = a.Email
		}
		return nil
	})
	if err != nil {
		return DoorayLink{}, err
	}
	postID, err := h.s.desk.doorayTasks.CreateTask(ctx, task)
	if err != nil {
		return DoorayLink{}, fmt.Errorf("Dooray! task: %w", err)
	}
	var out DoorayLink
	err = h.s.run(ctx, "Dooray.Transfer", permTicketWork, func(o *op) error {
		out = DoorayLink{TicketID: ticketID, ProjectID: projectID, PostID: postID, CreatedAt: o.now}
		if err := o.r.DoorayLinks().Insert(ctx, out); err != nil {
			return err
		}
		return o.r.Tickets().AddChanges(ctx, []ticket.Change{{TicketID: ticketID, At: o.now, ActorKind: h.s.actor.Kind, ActorID: h.s.actor.ID,
			Event: ticket.EventUpdated, Field: FieldDoorayTask, To: projectID + "/" + postID}})
	})
	if err != nil {
		return DoorayLink{}, fmt.Errorf("Dooray! task %s/%s was created but not linked: %w", projectID, postID, err)
	}
	return out, nil
}

// taskMarkdown is a task's body: who asked, then what.
func taskMarkdown(t ticket.Ticket) string {
	var b strings.Builder
	b.WriteString("**Requester:** ")
	b.WriteString(mdEscape(t.Requester.Name))
	if t.Requester.Email != "" {
		b.WriteString(" <" + mdEscape(t.Requester.Email) + ">")
	}
	b.WriteString("\n\n")
	b.WriteString(t.Content)
	return b.String()
}

// mdEscape keeps a name from being read as markdown.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`, `<`, `&lt;`, `>`, `&gt;`)
	return r.Replace(s)
}

// doorayQuiet reports whether toDooray does nothing in call o: the service
// has no active Dooray! integration, or the comment came from the task (a
// note from the task goes not back to it).
func doorayQuiet(o *op) bool { return !o.svc.Dooray.Active || o.call == hookCall }

// toDooray queues a new comment of a linked ticket for its task (DRY-2),
// unless transfer is paused (DRY-3).
func (s *Session) toDooray(ctx context.Context, o *op, cm ticket.Comment) error {
	if doorayQuiet(o) {
		return nil
	}
	l, err := o.r.DoorayLinks().ByTicket(ctx, cm.TicketID)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	who := "Customer"
	if !cm.FromCustomer {
		who = "Agent"
		if cm.AuthorKind == ticket.ActorSystem {
			who = "System"
		}
	}
	if cm.Kind == ticket.CommentInternal {
		who += " (internal note)"
	}
	return o.enqueue(ctx, false, notify.Message{ID: s.desk.newID(), Medium: notify.Dooray,
		Recipient:      DoorayTaskRecipient + l.ProjectID + "/" + l.PostID,
		Payload:        notify.Payload{Text: "**" + who + ":**\n\n" + cm.Body},
		IdempotencyKey: "dooray-comment:" + cm.ID,
		Source:         notify.Source{Kind: "dooray_comment", TicketID: cm.TicketID},
		CreatedAt:      o.now, NextAttemptAt: o.now, UpdatedAt: o.now})
}

// DoorayToken returns the service's tenant token for the Dooray! notifier
// (a call of the host product, like SMSCredentials), or "" while transfer
// is paused or not set up.
func (d *Desk) DoorayToken(ctx context.Context, serviceID string) (string, error) {
	if err := checkID("service", serviceID); err != nil {
		return "", err
	}
	var cfg ServiceConfig
	err := d.inService(ctx, serviceID, func(_ Repos, c ServiceConfig, _ time.Time) error {
		cfg = c
		return nil
	})
	if err != nil || !cfg.Dooray.Active {
		return "", err
	}
	return cfg.Dooray.Token, nil
}
