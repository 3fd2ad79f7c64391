package dooray

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// Tasks transfers tickets into Dooray! project tasks (DRY-2): it
// implements helpdesk.DoorayTasks on a Client.
type Tasks struct{ Client *Client }

var _ helpdesk.DoorayTasks = Tasks{}

// CreateTask creates the task: assigned to the agent when the agent's
// email is an organisation member who belongs to the project, else to the
// project's representative registrant (DRY-2); no assignee when neither
// resolves.
func (t Tasks) CreateTask(ctx context.Context, task helpdesk.DoorayTask) (string, error) {
	assignee, err := t.assignee(ctx, task)
	if err != nil {
		return "", err
	}
	id, err := t.Client.CreateTask(ctx, task.Token, task.ProjectID, Task{Subject: task.Subject, Markdown: task.Markdown, Assignee: assignee})
	return string(id), err
}

func (t Tasks) assignee(ctx context.Context, task helpdesk.DoorayTask) (ID, error) {
	if task.AgentEmail != "" {
		id, found, err := t.Client.MemberByEmail(ctx, task.Token, task.AgentEmail)
		if err != nil {
			return "", err
		}
		if found {
			ok, err := t.Client.IsProjectMember(ctx, task.Token, task.ProjectID, id)
			if err != nil {
				return "", err
			}
			if ok {
				return id, nil
			}
		}
	}
	if task.RegistrantEmail == "" {
		return "", nil
	}
	id, _, err := t.Client.MemberByEmail(ctx, task.Token, task.RegistrantEmail)
	return id, err
}

// Notifier is the Dooray! notifier of a Dispatcher: messages to
// helpdesk.DoorayTaskRecipient ("dooray-task:PROJECT/POST") become comments on
// the linked task (DRY-2), with the service's token from Token; every
// other message goes to its incoming webhook (DRY-4).
type Notifier struct {
	Hooks  *HookPoster
	Client *Client
	// Token returns a service's tenant token; helpdesk's Desk.DoorayToken
	// fits. An empty token (transfer paused) fails the comment for good.
	Token func(ctx context.Context, serviceID string) (string, error)
}

var _ notify.DoorayPoster = Notifier{}

// PostDooray implements notify.DoorayPoster.
func (n Notifier) PostDooray(ctx context.Context, m notify.Message) error {
	target, ok := strings.CutPrefix(m.Recipient, helpdesk.DoorayTaskRecipient)
	if !ok {
		if n.Hooks == nil {
			return notify.Permanent(fmt.Errorf("invalid: no Dooray! hook poster"))
		}
		return n.Hooks.PostDooray(ctx, m)
	}
	project, post, ok := strings.Cut(target, "/")
	if !ok || project == "" || post == "" || n.Client == nil || n.Token == nil {
		return notify.Permanent(fmt.Errorf("invalid: Dooray! task comment %q cannot be sent", m.Recipient))
	}
	token, err := n.Token(ctx, m.ServiceID)
	if err != nil {
		return err
	}
	if token == "" {
		return notify.Permanent(fmt.Errorf("invalid: Dooray! transfer is paused or not set up for service %q (DRY-3)", m.ServiceID))
	}
	_, err = n.Client.AddComment(ctx, token, project, post, m.Payload.Text)
	return err
}
