package httpapi

import (
	"net/http"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// withBody makes a call that decodes the request's body into a T first.
func withBody[T any](f func(r *http.Request, s *helpdesk.Session, in T) (int, any, error)) call {
	return func(r *http.Request, s *helpdesk.Session) (int, any, error) {
		var in T
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
		return f(r, s, in)
	}
}

// idsIn is the body of a reorder or a layout: a list of ids or keys.
type idsIn struct {
	IDs []string `json:"ids"`
}

// configRoutes are the service configuration areas: categories, fields,
// templates, forbidden words and triggers.
func configRoutes() []entry {
	type categoryIn struct {
		Tree     category.Tree `json:"tree"`
		ParentID string        `json:"parent_id"`
		Name     i18n.Text     `json:"name"`
		Disabled bool          `json:"disabled"`
	}
	type categoryUpdateIn struct {
		Name    i18n.Text `json:"name"`
		Enabled *bool     `json:"enabled"`
	}
	type fieldIn struct {
		Key      string         `json:"key"`
		Kind     field.Kind     `json:"kind"`
		Type     field.Type     `json:"type"`
		Label    i18n.Text      `json:"label"`
		HelpText i18n.Text      `json:"help_text"`
		Required bool           `json:"required"`
		Options  []field.Option `json:"options"`
	}
	type fieldUpdateIn struct {
		Label    *i18n.Text      `json:"label"`
		HelpText *i18n.Text      `json:"help_text"`
		Required *bool           `json:"required"`
		Options  *[]field.Option `json:"options"`
	}
	type templateIn struct {
		Title       string   `json:"title"`
		Content     string   `json:"content"`
		Code        string   `json:"code"`
		CategoryIDs []string `json:"category_ids"`
	}
	type triggerIn struct {
		Name        string              `json:"name"`
		Description string              `json:"description"`
		All         []trigger.Condition `json:"all"`
		Any         []trigger.Condition `json:"any"`
		Actions     []trigger.Action    `json:"actions"`
		Inactive    bool                `json:"inactive"`
	}
	tmpl := func(in templateIn) template.New {
		return template.New{Title: in.Title, Content: in.Content, Code: in.Code, CategoryIDs: in.CategoryIDs}
	}
	trg := func(in triggerIn) trigger.New {
		return trigger.New{Name: in.Name, Description: in.Description, All: in.All, Any: in.Any, Actions: in.Actions, Inactive: in.Inactive}
	}
	return []entry{
		{method: "GET", path: "/categories", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Categories().Tree(r.Context(), category.Tree(r.URL.Query().Get("tree"))))
		}},
		{method: "POST", path: "/categories", call: withBody(func(r *http.Request, s *helpdesk.Session, in categoryIn) (int, any, error) {
			return created(s.Categories().Create(r.Context(), category.New{Tree: in.Tree, ParentID: in.ParentID, Name: in.Name, Disabled: in.Disabled}))
		})},
		{method: "GET", path: "/categories/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Categories().Get(r.Context(), r.PathValue("id")))
		}},
		{method: "PATCH", path: "/categories/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in categoryUpdateIn) (int, any, error) {
			return ok(s.Categories().Update(r.Context(), r.PathValue("id"), category.Update{Name: in.Name, Enabled: in.Enabled}))
		})},
		{method: "DELETE", path: "/categories/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			ids, err := s.Categories().Delete(r.Context(), r.PathValue("id"))
			return ok(struct {
				Deleted []string `json:"deleted"`
			}{ids}, err)
		}},

		{method: "GET", path: "/fields", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Fields().List(r.Context()))
		}},
		{method: "POST", path: "/fields", call: withBody(func(r *http.Request, s *helpdesk.Session, in fieldIn) (int, any, error) {
			return created(s.Fields().Create(r.Context(), field.New{Key: in.Key, Kind: in.Kind, Type: in.Type, Label: in.Label,
				HelpText: in.HelpText, Required: in.Required, Options: in.Options}))
		})},
		{method: "GET", path: "/fields/{key}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Fields().Get(r.Context(), r.PathValue("key")))
		}},
		{method: "PATCH", path: "/fields/{key}", call: withBody(func(r *http.Request, s *helpdesk.Session, in fieldUpdateIn) (int, any, error) {
			return ok(s.Fields().Update(r.Context(), r.PathValue("key"), field.Update{Label: in.Label, HelpText: in.HelpText,
				Required: in.Required, Options: in.Options}))
		})},
		{method: "DELETE", path: "/fields/{key}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Fields().Delete(r.Context(), r.PathValue("key")))
		}},
		{method: "GET", path: "/field-layouts/agent", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Fields().AgentLayout(r.Context()))
		}},
		{method: "PUT", path: "/field-layouts/agent", call: withBody(func(r *http.Request, s *helpdesk.Session, in idsIn) (int, any, error) {
			return ok(s.Fields().SetAgentLayout(r.Context(), in.IDs))
		})},
		{method: "GET", path: "/field-layouts/customer/{category_id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Fields().CustomerLayout(r.Context(), r.PathValue("category_id")))
		}},
		{method: "PUT", path: "/field-layouts/customer/{category_id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in idsIn) (int, any, error) {
			return ok(s.Fields().SetCustomerLayout(r.Context(), r.PathValue("category_id"), in.IDs))
		})},

		{method: "GET", path: "/templates", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Templates().List(r.Context()))
		}},
		{method: "POST", path: "/templates", call: withBody(func(r *http.Request, s *helpdesk.Session, in templateIn) (int, any, error) {
			return created(s.Templates().Create(r.Context(), tmpl(in)))
		})},
		{method: "GET", path: "/templates/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Templates().Get(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/templates/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in templateIn) (int, any, error) {
			return ok(s.Templates().Update(r.Context(), r.PathValue("id"), tmpl(in)))
		})},
		{method: "DELETE", path: "/templates/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Templates().Delete(r.Context(), r.PathValue("id")))
		}},
		{method: "GET", path: "/forbidden-words", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.ForbiddenWords().List(r.Context()))
		}},
		{method: "POST", path: "/forbidden-words", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Words []string `json:"words"`
		}) (int, any, error) {
			return created(s.ForbiddenWords().Add(r.Context(), in.Words...))
		})},
		{method: "DELETE", path: "/forbidden-words/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.ForbiddenWords().Delete(r.Context(), r.PathValue("id")))
		}},

		{method: "GET", path: "/triggers", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Triggers().List(r.Context()))
		}},
		{method: "POST", path: "/triggers", call: withBody(func(r *http.Request, s *helpdesk.Session, in triggerIn) (int, any, error) {
			return created(s.Triggers().Create(r.Context(), trg(in)))
		})},
		{method: "GET", path: "/triggers/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Triggers().Get(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/triggers/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in triggerIn) (int, any, error) {
			return ok(s.Triggers().Update(r.Context(), r.PathValue("id"), trg(in)))
		})},
		{method: "DELETE", path: "/triggers/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Triggers().Delete(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/triggers/{id}/active", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Active bool `json:"active"`
		}) (int, any, error) {
			if in.Active {
				return noContent(s.Triggers().Activate(r.Context(), r.PathValue("id")))
			}
			return noContent(s.Triggers().Deactivate(r.Context(), r.PathValue("id")))
		})},
		{method: "PUT", path: "/trigger-order", call: withBody(func(r *http.Request, s *helpdesk.Session, in idsIn) (int, any, error) {
			return noContent(s.Triggers().Reorder(r.Context(), in.IDs))
		})},
		{method: "GET", path: "/trigger-schema", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Triggers().Schema(r.Context()))
		}},
		{method: "POST", path: "/tickets/{id}/trigger-dry-run", call: withBody(func(r *http.Request, s *helpdesk.Session, in struct {
			Event  ticket.EventKind `json:"event"`
			Change *ticketUpdateIn  `json:"change"`
		}) (int, any, error) {
			var u *ticket.Update
			if in.Change != nil {
				c := in.Change.update()
				u = &c
			}
			return ok(s.Triggers().DryRun(r.Context(), r.PathValue("id"), in.Event, u))
		})},
	}
}
