package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/template"
)

// settingsRoutes are the service's own settings, its integrations, the
// external recipients, the login log and menu access, and the calls of the
// other areas that move or link things.
func settingsRoutes(notifications http.Handler) []entry {
	type recipientIn struct {
		Name          string `json:"name"`
		Email         string `json:"email"`
		Phone         string `json:"phone"`
		DoorayHookURL string `json:"dooray_hook_url"`
	}
	recipient := func(in recipientIn) helpdesk.NewRecipient {
		return helpdesk.NewRecipient{Name: in.Name, Email: in.Email, Phone: in.Phone, DoorayHookURL: in.DoorayHookURL}
	}
	return []entry{
		{method: "GET", path: "/settings", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Configuration().Get(r.Context()))
		}},
		{method: "PUT", path: "/settings", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Version  int64             `json:"version"`
			Settings helpdesk.Settings `json:"settings"`
		}) (int, any, error) {
			return ok(s.Configuration().Update(r.Context(), in.Version, in.Settings))
		})},
		{method: "GET", path: "/sms", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.SMS().Get(r.Context()))
		}},
		{method: "PUT", path: "/sms", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			AppKey        string   `json:"app_key"`
			SecretKey     string   `json:"secret_key"`
			SenderNumbers []string `json:"sender_numbers"`
		}) (int, any, error) {
			return ok(s.SMS().Update(r.Context(), helpdesk.SMSUpdate{AppKey: in.AppKey, SecretKey: in.SecretKey, SenderNumbers: in.SenderNumbers}))
		})},
		{method: "GET", path: "/dooray", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Dooray().Get(r.Context()))
		}},
		{method: "PUT", path: "/dooray", call: withBody(func(r *http.Request, s *helpdesk.Session, in helpdesk.DooraySettings) (int, any, error) {
			return ok(s.Dooray().Update(r.Context(), in))
		})},
		{method: "POST", path: "/dooray/hook-token", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			tok, err := s.Dooray().RotateHookToken(r.Context())
			return ok(struct {
				Token string `json:"token"`
			}{tok}, err)
		}},
		{method: "GET", path: "/dooray/projects", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Dooray().Projects(r.Context()))
		}},
		{method: "GET", path: "/tickets/{id}/dooray", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Dooray().Link(r.Context(), r.PathValue("id")))
		}},
		{method: "POST", path: "/tickets/{id}/dooray", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			ProjectID string `json:"project_id"`
		}) (int, any, error) {
			return created(s.Dooray().Transfer(r.Context(), r.PathValue("id"), in.ProjectID))
		})},

		{method: "GET", path: "/recipients", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Recipients().List(r.Context()))
		}},
		{method: "POST", path: "/recipients", call: withBody(func(r *http.Request, s *helpdesk.Session, in recipientIn) (int, any, error) {
			return created(s.Recipients().Create(r.Context(), recipient(in)))
		})},
		{method: "PUT", path: "/recipients/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in recipientIn) (int, any, error) {
			return ok(s.Recipients().Update(r.Context(), r.PathValue("id"), recipient(in)))
		})},
		{method: "DELETE", path: "/recipients/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Recipients().Delete(r.Context(), r.PathValue("id")))
		}},

		{method: "GET", path: "/login-log", call: loginLog},
		{method: "GET", path: "/menu-access", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Agents().MenuAccess(r.Context()))
		}},
		{method: "PUT", path: "/menu-access", call: withBody(func(r *http.Request, s *helpdesk.Session, in agent.MenuAccess) (int, any, error) {
			return ok(s.Agents().SetMenuAccess(r.Context(), in))
		})},

		{method: "GET", path: "/ticket-numbers/{number}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
			if err != nil {
				return 0, nil, &httpError{status: http.StatusNotFound, detail: "not found: ticket #" + r.PathValue("number")}
			}
			return ok(s.Tickets().ByNumber(r.Context(), n))
		}},
		{method: "GET", path: "/categories/{id}/path", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Categories().Path(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/categories/{id}/parent", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			ParentID string `json:"parent_id"`
		}) (int, any, error) {
			return ok(s.Categories().Move(r.Context(), r.PathValue("id"), in.ParentID))
		})},
		{method: "PUT", path: "/category-order", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Tree     category.Tree `json:"tree"`
			ParentID string        `json:"parent_id"`
			IDs      []string      `json:"ids"`
		}) (int, any, error) {
			return noContent(s.Categories().Reorder(r.Context(), in.Tree, in.ParentID, in.IDs))
		})},
		{method: "PUT", path: "/templates/{id}/categories/{category_id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Templates().Link(r.Context(), r.PathValue("id"), r.PathValue("category_id")))
		}},
		{method: "DELETE", path: "/templates/{id}/categories/{category_id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Templates().Unlink(r.Context(), r.PathValue("id"), r.PathValue("category_id")))
		}},
		{method: "GET", path: "/template-search", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			q := r.URL.Query()
			n, err := limit(q)
			if err != nil {
				return 0, nil, err
			}
			return ok(s.Templates().Search(r.Context(), template.Query{CodePrefix: q.Get("code_prefix"), Words: q.Get("words"),
				CategoryID: q.Get("category_id"), Limit: n}))
		}},
		{method: "PUT", path: "/forbidden-words/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Word string `json:"word"`
		}) (int, any, error) {
			return noContent(s.ForbiddenWords().Update(r.Context(), r.PathValue("id"), in.Word))
		})},
		{method: "GET", path: "/notifications", stream: func(w http.ResponseWriter, r *http.Request, _ *helpdesk.Session) error {
			if notifications == nil {
				return &httpError{status: http.StatusNotFound, detail: "not found: no notification stream is mounted"}
			}
			notifications.ServeHTTP(w, r)
			return nil
		}},
	}
}

// LoginPage is a page of GET /login-log.
type LoginPage struct {
	Events []agent.LoginEvent `json:"events"`
	// Next is the cursor of the next page; empty on the last one.
	Next string `json:"next,omitempty"`
}

// loginLog serves GET /login-log?agent_id=&since=&until=&limit=&cursor=.
func loginLog(r *http.Request, s *helpdesk.Session) (int, any, error) {
	q := r.URL.Query()
	f := agent.LoginFilter{AgentID: q.Get("agent_id"), Cursor: q.Get("cursor")}
	var bad []FieldError
	if f.Since, f.Until, bad = period(q.Get("since"), q.Get("until")); bad != nil {
		return 0, nil, badQuery(bad)
	}
	var err error
	if f.Limit, err = limit(q); err != nil {
		return 0, nil, err
	}
	p, err := s.Agents().LoginLog(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	if p.Events == nil {
		p.Events = []agent.LoginEvent{}
	}
	return http.StatusOK, LoginPage{Events: p.Events, Next: p.Next}, nil
}

// period reads the since and until of a query as RFC 3339 times (an
// empty one is the zero time), or names the bad ones.
func period(since, until string) (from, to time.Time, bad []FieldError) {
	for _, t := range []struct {
		name, value string
		dst         *time.Time
	}{{"since", since, &from}, {"until", until, &to}} {
		if t.value == "" {
			continue
		}
		at, perr := time.Parse(time.RFC3339, t.value)
		if perr != nil {
			bad = append(bad, FieldError{Field: t.name, Reason: "is not an RFC 3339 time"})
		}
		*t.dst = at
	}
	return from, to, bad
}
