package trigger

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// Report is the answer of a dry run (TRG-8): for a ticket and an event,
// which triggers would fire, which conditions held, what they would do.
type Report struct {
	Event   ticket.EventKind `json:"event"`
	Passes  int              `json:"passes"`
	Bounded bool             `json:"bounded"`
	// Triggers are every active trigger in run order.
	Triggers []TriggerReport `json:"triggers"`
	// Ticket is the ticket as the ticket-changing actions would leave it
	// (see DryRun and DryRunWith for assignments).
	Ticket ticket.Ticket `json:"ticket"`
}

// TriggerReport is one trigger in a dry run.
type TriggerReport struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Source is the expr program the conditions compiled to.
	Source string `json:"source"`
	Fired  bool   `json:"fired"`
	// Pass is the pass it fired in; 0 when it did not fire.
	Pass int `json:"pass,omitempty"`
	// Evaluated is false when the index skipped the trigger in every
	// pass: an event, status, priority, channel, category, group or
	// assignee condition of its all list could not hold.
	Evaluated bool `json:"evaluated"`
	// Conditions are evaluated on the ticket as the trigger last saw it.
	Conditions []ConditionReport `json:"conditions"`
	// Actions are what the trigger would do when it fired.
	Actions []ActionReport `json:"actions,omitempty"`
}

// ConditionReport is one condition in a dry run.
type ConditionReport struct {
	Requirement string    `json:"requirement"` // "all" or "any"
	Index       int       `json:"index"`
	Condition   Condition `json:"condition"`
	// Value is the ticket's value of the target; Before its value before
	// the event, for the change operators.
	Value  any  `json:"value,omitempty"`
	Before any  `json:"before,omitempty"`
	Held   bool `json:"held"`
}

// ActionReport is one action a fired trigger would take.
type ActionReport struct {
	Action Action `json:"action"`
	// Effect says what it would do; Error why it would not (then the run
	// would record the failure and go on).
	Effect string `json:"effect"`
	Error  string `json:"error,omitempty"`
	// Warning says why an assign action would leave the ticket in its
	// group unassigned (no eligible member: no members, all switched off
	// ...), as the Assigner answered; empty otherwise.
	Warning string `json:"warning,omitempty"`
}

// Assigner tells a dry run whom an assign action would pick on ticket t:
// an agent id, or "" when the ticket would stay with the group unassigned;
// then why, when not empty, says why nobody is eligible (it becomes the
// action's Warning). An *ActionError says a run would skip the action (its
// group is gone): it becomes the action's Error and the ticket is left as
// it was; any other error ends the dry run.
type Assigner func(a Action, t *ticket.Ticket) (agentID, why string, err error)

// Reacher tells a dry run why a message action (one whose kind
// SendsMessage) would reach nobody on ticket t, as a run would find: a
// notify action's assignee without an address, a group without an active
// member, a requester without a phone. "" means it would reach someone.
// A reason becomes the action's Error (a run skips the action and records
// why, TRG-6); an error ends the dry run.
type Reacher func(a Action, t *ticket.Ticket) (reason string, err error)

// Hooks answer a dry run what only the store knows; nil hooks are not
// asked.
type Hooks struct {
	// Assign answers whom assign actions pick (see Assigner).
	Assign Assigner
	// Reach answers why message actions would reach nobody (see Reacher).
	Reach Reacher
}

// DryRun answers what Run would do on event in for ticket t, without
// changing anything (TRG-8): it runs the same passes on a copy of t,
// applying the ticket-changing actions to the copy, and reports every
// trigger with its conditions and the actions of those that fire. Assign
// actions set the group, and the agent of a fixed assignment (no
// eligibility is known here); use DryRunWith to answer who would be picked.
func (s *Set) DryRun(in Input, t ticket.Ticket) (Report, error) { return s.DryRunWith(in, t, nil) }

// DryRunWith is DryRun with assign answering whom assign actions pick, as
// the store would (eligibility, the group's members), and why nobody is
// when nobody is (the action's Warning); an assignment opens a new ticket,
// as in a real run (TKT-2).
func (s *Set) DryRunWith(in Input, t ticket.Ticket, assign Assigner) (Report, error) {
	return s.DryRunHooks(in, t, Hooks{Assign: assign})
}

// DryRunHooks is DryRun with h answering what only the store knows: whom
// assign actions pick (h.Assign, as DryRunWith) and why message actions
// would reach nobody (h.Reach: then the action's Error says why, as the
// run's history would).
func (s *Set) DryRunHooks(in Input, t ticket.Ticket, h Hooks) (Report, error) {
	if err := checkEvent(in.Event); err != nil {
		return Report{}, err
	}
	t = t.Clone()
	rep := Report{Event: in.Event, Triggers: make([]TriggerReport, len(s.triggers))}
	type seen struct {
		env evalEnv
		t   ticket.Ticket
	}
	last := make([]*seen, len(s.triggers))
	sc := &scratch{dry: true} // never pooled: the envs kept below share its memory
	obs := func(i int, env *evalEnv, t *ticket.Ticket) {
		e := *env
		e.Now.F, e.Before.F = slices.Clone(env.Now.F), slices.Clone(env.Before.F)
		last[i] = &seen{env: e, t: t.Clone()}
	}
	d := &dryApplier{now: in.Now, assign: h.Assign, reach: h.Reach, reports: map[string][]ActionReport{}}
	out, err := s.run(context.Background(), in, &t, d, sc, obs)
	if err != nil {
		return Report{}, err
	}
	rep.Passes, rep.Bounded, rep.Ticket = out.Passes, out.Bounded, t
	// Triggers the index skipped are shown against the ticket as the
	// run left it, with everything built.
	var final evalEnv
	final.Event = slices.Index(ticket.Events, in.Event) + 1
	s.state(&final.Before, &in.Before, &sc.fPrev, sc, in, 0)
	sc.newEvaluation(len(s.conds))
	s.fill(&final, &t, in, ^uint16(0), sc)
	final.Now.F, final.Before.F = slices.Clone(final.Now.F), slices.Clone(final.Before.F)
	for i, tr := range s.triggers {
		r := TriggerReport{ID: tr.ID, Name: tr.Name, Source: s.Source(i), Evaluated: last[i] != nil}
		r.Pass, r.Fired = sc.fired[i], sc.fired[i] > 0
		env, cur := &final, &t
		if last[i] != nil {
			env, cur = &last[i].env, &last[i].t
		}
		for j, c := range slices.Concat(tr.All, tr.Any) {
			cr := ConditionReport{Requirement: "all", Index: j, Condition: c}
			if j >= len(tr.All) {
				cr.Requirement, cr.Index = "any", j-len(tr.All)
			}
			held, err := s.evalCondition(i, j, env)
			if err != nil {
				return Report{}, err
			}
			cr.Held = held
			cr.Value = valueOf(c.Target, cur, in)
			switch c.Op {
			case Changed, ChangedTo, ChangedFrom, NotChanged:
				cr.Before = valueOf(c.Target, &in.Before, in)
			}
			r.Conditions = append(r.Conditions, cr)
		}
		if r.Fired {
			r.Actions = d.reports[tr.ID]
		}
		rep.Triggers[i] = r
	}
	return rep, nil
}

// evalCondition runs condition j of trigger i alone on env.
func (s *Set) evalCondition(i, j int, env *evalEnv) (bool, error) {
	p, err := s.program(s.full[int(s.fullOff[i])+j])
	if err != nil {
		return false, err
	}
	var machine vm.VM
	r, err := machine.Run(p, *env)
	if err != nil {
		return false, err
	}
	b, _ := r.(bool)
	return b, nil
}

// valueOf returns the value of target name in ticket t, as people read it;
// nil for the empty ticket before a created event.
func valueOf(name string, t *ticket.Ticket, in Input) any {
	if t.ID == "" && t.Status == "" {
		return nil
	}
	switch name {
	case TargetEvent:
		return string(in.Event)
	case TargetStatus:
		return string(t.Status)
	case TargetPriority:
		return string(t.Priority)
	case TargetChannel:
		return string(t.Channel)
	case TargetIntakeCategory:
		return t.IntakeCategoryID
	case TargetProcessingCategory:
		return t.ProcessingCategoryID
	case TargetAssignee:
		return t.AssigneeID
	case TargetGroup:
		return t.GroupID
	case TargetRequesterEmail:
		return t.Requester.Email
	case TargetTitle:
		return t.Title
	case TargetContent:
		return clip(t.Content, 200)
	case TargetTags:
		return slices.Clone(t.Tags)
	case TargetLanguage:
		return t.Language
	case TargetHoursSinceCreated:
		return in.Now.Sub(t.CreatedAt).Hours()
	case TargetHoursSinceUpdated:
		return in.Now.Sub(t.UpdatedAt).Hours()
	}
	if kind, key, ok := SplitField(name); ok {
		if kind == field.KindAgent {
			return t.AgentFields[key]
		}
		return t.CustomerFields[key]
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// dryApplier applies the ticket-changing actions to the copy and describes
// every action.
type dryApplier struct {
	now     time.Time
	assign  Assigner
	reach   Reacher
	reports map[string][]ActionReport
}

func (d *dryApplier) Apply(_ context.Context, tr *Trigger, t *ticket.Ticket) (bool, error) {
	changed := false
	var reps []ActionReport
	for i, a := range tr.Actions {
		r := ActionReport{Action: a.Clone(), Effect: Describe(a)}
		if a.Kind.SendsMessage() && d.reach != nil {
			why, err := d.reach(a, t)
			if err != nil {
				return false, err
			}
			if why != "" {
				// Skipped whole: a forward and complete reaching nobody
				// solves nothing either.
				r.Error = errs.Detail(&ActionError{Index: i, Kind: a.Kind, Reason: why})
				reps = append(reps, r)
				continue
			}
		}
		switch a.Kind {
		case AssignRandom, AssignRoundRobin, AssignFixed:
			agent := ""
			if a.Kind == AssignFixed {
				agent = a.AgentID
			}
			if d.assign != nil {
				var err error
				agent, r.Warning, err = d.assign(a, t)
				var ae *ActionError
				if errors.As(err, &ae) {
					ae.Index, ae.Kind = i, a.Kind
					r.Error = errs.Detail(ae)
					break // out of the switch: the ticket is left as it was
				} else if err != nil {
					return false, err
				}
			}
			if t.GroupID != a.GroupID || t.AssigneeID != agent {
				t.GroupID, t.AssigneeID, changed = a.GroupID, agent, true
			}
			if agent != "" && t.Status == ticket.StatusNew {
				t.Status = ticket.StatusOpen // an assignment opens a new ticket (TKT-2)
			}
		case ForwardAndComplete:
			c, _, err := ApplyToTicket(i, Action{Kind: SetStatus, Value: string(ticket.StatusSolved)}, t, d.now)
			changed = changed || c
			if err != nil {
				r.Error = errs.Detail(err)
			}
		default:
			c, _, err := ApplyToTicket(i, a, t, d.now)
			changed = changed || c
			if err != nil {
				r.Error = errs.Detail(err)
			}
		}
		reps = append(reps, r)
	}
	d.reports[tr.ID] = reps
	return changed, nil
}

// host returns the host of a hook URL: descriptions end up in ticket
// histories, which agents read, and hook URLs carry their secrets.
func host(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return "(a URL)"
}

// Describe says in a line what action a does. A hook URL is shown by its
// host only: the rest of it is often a secret.
func Describe(a Action) string {
	switch a.Kind {
	case AssignRandom:
		return fmt.Sprintf("assign to group %s, to a random eligible member", a.GroupID)
	case AssignRoundRobin:
		return fmt.Sprintf("assign to group %s, to the next eligible member in turn", a.GroupID)
	case AssignFixed:
		return fmt.Sprintf("assign to group %s, to agent %s when eligible", a.GroupID, a.AgentID)
	case SetStatus, SetPriority:
		return fmt.Sprintf("set %s to %v", strings.TrimPrefix(string(a.Kind), "set_"), a.Value)
	case SetProcessingCategory:
		if a.CategoryID == "" {
			return "clear the processing category"
		}
		return "set the processing category to " + a.CategoryID
	case SetField:
		return fmt.Sprintf("set %s to %s", a.Field, ticket.FormatValue(a.Value))
	case AddTags:
		return "add tags " + strings.Join(a.Tags, ", ")
	case RemoveTags:
		return "remove tags " + strings.Join(a.Tags, ", ")
	case Note:
		return "add an internal note"
	case Notify:
		return "mail the " + a.Recipient
	case NotifyBrowser:
		if a.Recipient == RecipientGroup {
			return "notify the group's members in their browsers"
		}
		return "notify the " + a.Recipient + " in the browser"
	case Forward:
		return "forward the ticket to " + strings.Join(a.Addresses, ", ")
	case ForwardAndComplete:
		return "forward the ticket to " + strings.Join(a.Addresses, ", ") + ", then solve it"
	case Callback:
		return "post the ticket as JSON to " + host(a.URL)
	case Dooray:
		return "post a message to a Dooray! hook on " + host(a.URL)
	case SMS:
		if a.Recipient == RecipientCustomer {
			return "text the customer"
		}
		return "text " + strings.Join(a.Addresses, ", ")
	}
	return string(a.Kind)
}

// checkEvent refuses an event kind that is not one of ticket.Events with a
// *problem.ValidationError on "event" (TRG-8).
func checkEvent(ev ticket.EventKind) error {
	if slices.Contains(ticket.Events, ev) {
		return nil
	}
	var c errs.Collector
	c.Add("event", "unknown event %q; events: %v", ev, ticket.Events)
	return c.Err()
}
