package dooray

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/deskkit/deskkit/helpdesk"
)

// HookTarget is what a ProjectHook hands the calls to; *helpdesk.Desk is
// one.
type HookTarget interface {
	DoorayHook(ctx context.Context, serviceID, token string, ev helpdesk.DoorayEvent) error
}

// ProjectHook is the http.Handler of Dooray! project hooks (two-way
// DRY-2): a new comment on a linked task becomes an internal note on its
// ticket, and a workflow change (a task closed in Dooray!) is recorded in
// the ticket's history. Mount it where the path ends with the service id
// and its hook token, both taken from the path values "service" and
// "token" when the pattern names them, else from the last two segments:
//
//	mux.Handle("POST /dooray/hooks/{service}/{token}", dooray.ProjectHook{Target: desk})
//
// and register https://host/dooray/hooks/acme/TOKEN in the Dooray!
// project (TOKEN from Dooray.RotateHookToken). Dooray! signs nothing, so
// the unguessable token in the URL is the only proof; a wrong one is
// answered 404, as an unknown path.
type ProjectHook struct {
	Target HookTarget
	// MaxBytes bounds a request body; default 1 MiB.
	MaxBytes int64
}

// hookPayload is what Dooray! posts; both version fields (hookVersion in
// the documentation, version in payloads seen in the wild) and both event
// fields (hookEventType, webhookType) are accepted.
type hookPayload struct {
	HookEventType string          `json:"hookEventType"`
	WebhookType   string          `json:"webhookType"`
	HookVersion   json.RawMessage `json:"hookVersion"`
	Version       json.RawMessage `json:"version"`
	Comment       *struct {
		ID   ID `json:"id"`
		Body struct {
			Content string `json:"content"`
		} `json:"body"`
		Creator struct {
			Member struct {
				Name string `json:"name"`
			} `json:"member"`
		} `json:"creator"`
	} `json:"comment"`
	Post struct {
		ID            ID     `json:"id"`
		WorkflowClass string `json:"workflowClass"`
		Closed        *bool  `json:"closed"`
		Workflow      struct {
			Class string `json:"class"`
		} `json:"workflow"`
	} `json:"post"`
	WorkflowClass string `json:"workflowClass"`
	Source        struct {
		Member struct {
			Name string `json:"name"`
		} `json:"member"`
	} `json:"source"`
}

// Event parses a hook's body.
func Event(body []byte) (helpdesk.DoorayEvent, error) {
	var p hookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return helpdesk.DoorayEvent{}, err
	}
	ev := helpdesk.DoorayEvent{Kind: p.HookEventType, PostID: string(p.Post.ID)}
	if ev.Kind == "" {
		ev.Kind = p.WebhookType
	}
	if c := p.Comment; c != nil {
		ev.CommentID, ev.CommentBody, ev.Author = string(c.ID), c.Body.Content, c.Creator.Member.Name
		if ev.Author == "" {
			ev.Author = p.Source.Member.Name
		}
	}
	for _, c := range []string{p.Post.WorkflowClass, p.Post.Workflow.Class, p.WorkflowClass} {
		if c != "" {
			ev.WorkflowClass = c
			break
		}
	}
	if ev.WorkflowClass == "" && p.Post.Closed != nil && *p.Post.Closed {
		ev.WorkflowClass = "closed"
	}
	return ev, nil
}

func (h ProjectHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	service, token := r.PathValue("service"), r.PathValue("token")
	if service == "" || token == "" {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) < 2 {
			http.NotFound(w, r)
			return
		}
		service, token = parts[len(parts)-2], parts[len(parts)-1]
	}
	limit := h.MaxBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	ev, err := Event(body)
	if err != nil {
		http.Error(w, "not a Dooray! hook payload", http.StatusBadRequest)
		return
	}
	switch err := h.Target.DoorayHook(r.Context(), service, token, ev); {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, helpdesk.ErrForbidden), errors.Is(err, helpdesk.ErrNotFound):
		http.NotFound(w, r) // no hint whether the service exists
	case errors.Is(err, helpdesk.ErrInvalid):
		http.Error(w, "the event cannot be applied", http.StatusUnprocessableEntity)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
