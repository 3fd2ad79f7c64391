package httpapi

import (
	"net/http"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// peopleRoutes are the agents, the groups and the outbox.
func peopleRoutes() []entry {
	type agentIn struct {
		Account     string             `json:"account"`
		Name        string             `json:"name"`
		Email       string             `json:"email"`
		Role        agent.Role         `json:"role"`
		GroupIDs    []string           `json:"group_ids"`
		Permissions *agent.Permissions `json:"permissions"`
		Toggles     *agent.Toggles     `json:"toggles"`
		CTIID       string             `json:"cti_id"`
		Extension   string             `json:"extension"`
	}
	type agentUpdateIn struct {
		Version     int64              `json:"version"`
		Role        *agent.Role        `json:"role"`
		Active      *bool              `json:"active"`
		Permissions *agent.Permissions `json:"permissions"`
		CTIID       *string            `json:"cti_id"`
		Extension   *string            `json:"extension"`
	}
	type groupIn struct {
		Name         string         `json:"name"`
		Strategy     agent.Strategy `json:"strategy"`
		FixedAgentID string         `json:"fixed_agent_id"`
	}
	group := func(in groupIn) helpdesk.NewGroup {
		return helpdesk.NewGroup{Name: in.Name, Strategy: in.Strategy, FixedAgentID: in.FixedAgentID}
	}
	return []entry{
		{method: "GET", path: "/agents", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Agents().List(r.Context()))
		}},
		{method: "POST", path: "/agents", call: withBody(func(r *http.Request, s *helpdesk.Session, in agentIn) (int, any, error) {
			return created(s.Agents().Create(r.Context(), agent.New{Account: in.Account, Name: in.Name, Email: in.Email, Role: in.Role,
				GroupIDs: in.GroupIDs, Permissions: in.Permissions, Toggles: in.Toggles, CTIID: in.CTIID, Extension: in.Extension}))
		})},
		{method: "GET", path: "/agents/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Agents().Get(r.Context(), r.PathValue("id")))
		}},
		{method: "PATCH", path: "/agents/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in agentUpdateIn) (int, any, error) {
			return ok(s.Agents().Update(r.Context(), r.PathValue("id"), agent.Update{Version: in.Version, Role: in.Role,
				Active: in.Active, Permissions: in.Permissions, CTIID: in.CTIID, Extension: in.Extension}))
		})},
		{method: "PUT", path: "/agents/{id}/toggles", call: withBody(func(r *http.Request, s *helpdesk.Session, in agent.Toggles) (int, any, error) {
			return ok(s.Agents().SetToggles(r.Context(), r.PathValue("id"), in))
		})},

		{method: "GET", path: "/groups", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Groups().List(r.Context()))
		}},
		{method: "POST", path: "/groups", call: withBody(func(r *http.Request, s *helpdesk.Session, in groupIn) (int, any, error) {
			return created(s.Groups().Create(r.Context(), group(in)))
		})},
		{method: "PUT", path: "/groups/{id}", call: withBody(func(r *http.Request, s *helpdesk.Session, in groupIn) (int, any, error) {
			return ok(s.Groups().Update(r.Context(), r.PathValue("id"), group(in)))
		})},
		{method: "DELETE", path: "/groups/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Groups().Delete(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/group-order", call: withBody(func(r *http.Request, s *helpdesk.Session, in idsIn) (int, any, error) {
			return noContent(s.Groups().Reorder(r.Context(), in.IDs))
		})},
		{method: "GET", path: "/groups/{id}/members", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Groups().Members(r.Context(), r.PathValue("id")))
		}},
		{method: "PUT", path: "/groups/{id}/members/{agent_id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Groups().AddMember(r.Context(), r.PathValue("id"), r.PathValue("agent_id")))
		}},
		{method: "DELETE", path: "/groups/{id}/members/{agent_id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Groups().RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("agent_id")))
		}},

		{method: "GET", path: "/outbox", call: listOutbox},
		{method: "GET", path: "/outbox/counts", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Outbox().Counts(r.Context()))
		}},
		{method: "POST", path: "/outbox/{id}/retry", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return noContent(s.Outbox().Retry(r.Context(), r.PathValue("id")))
		}},
	}
}

// OutboxPage is a page of GET /outbox.
type OutboxPage struct {
	Messages []notify.Message `json:"messages"`
	// Next is the cursor of the next page; empty on the last one.
	Next string `json:"next,omitempty"`
}

// listOutbox serves GET /outbox?state=&limit=&cursor=.
func listOutbox(r *http.Request, s *helpdesk.Session) (int, any, error) {
	q := r.URL.Query()
	f := notify.Filter{State: notify.State(q.Get("state")), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, err = limit(q); err != nil {
		return 0, nil, err
	}
	p, err := s.Outbox().List(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	if p.Messages == nil {
		p.Messages = []notify.Message{}
	}
	return http.StatusOK, OutboxPage{Messages: p.Messages, Next: p.Next}, nil
}
