package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/trigger"
)

// Schema returns the condition schema of the service (TRG-3, TRG-4):
// every target with its type, operators and allowed values, for a
// condition editor.
func (h Triggers) Schema(ctx context.Context) (*trigger.Schema, error) {
	var out *trigger.Schema
	err := h.s.run(ctx, "Triggers.Schema", permRead, func(o *op) (err error) {
		out, err = triggerSchema(ctx, o)
		return err
	})
	return result(out, err)
}

func triggerSchema(ctx context.Context, o *op) (*trigger.Schema, error) {
	fs, err := listFields(ctx, o)
	if err != nil {
		return nil, err
	}
	return trigger.NewSchema(fs, o.svc.Languages, o.svc.DefaultLanguage), nil
}

// resolver answers trigger validation from the transaction's repositories.
type resolver struct{ o *op }

func (r resolver) Category(ctx context.Context, id string) (category.Category, error) {
	if err := checkID("category", id); err != nil {
		return category.Category{}, err
	}
	c, err := r.o.r.Categories().Get(ctx, id)
	if err == nil && c.Deleted {
		return c, ErrNotFound
	}
	return c, err
}

func (r resolver) Agent(ctx context.Context, id string) error {
	if err := checkID("agent", id); err != nil {
		return err
	}
	_, err := r.o.r.Agents().Get(ctx, id)
	return err
}

func (r resolver) Group(ctx context.Context, id string) error {
	if err := checkID("group", id); err != nil {
		return err
	}
	_, err := r.o.r.Groups().Get(ctx, id)
	return err
}

// validTrigger validates n for the service (TRG-5).
func validTrigger(ctx context.Context, o *op, n trigger.New) (trigger.New, error) {
	sch, err := triggerSchema(ctx, o)
	if err != nil {
		return n, err
	}
	v, err := trigger.Validate(ctx, n, sch, resolver{o})
	if err != nil {
		return v, err
	}
	return v, smsActionsOff(o.svc, v.Actions)
}

// Create validates and stores a trigger (admin; TRG-1, TRG-5): at the
// end of the active list, or of the inactive list when n.Inactive. A
// trigger that could fail at run time is refused with a *ValidationError
// naming each bad condition or action ("all[0].value"), and so is a masked
// hook URL (SEC-1). The trigger is returned as it reads back: its hook and
// callback URLs masked.
func (h Triggers) Create(ctx context.Context, n trigger.New) (trigger.Trigger, error) {
	var out trigger.Trigger
	err := h.s.triggerWrite(ctx, "Triggers.Create", func(o *op, ts []trigger.Trigger) error {
		n, err := unmaskActions(n, nil)
		if err != nil {
			return err
		}
		v, err := validTrigger(ctx, o, n)
		if err != nil {
			return err
		}
		out = trigger.Trigger{ID: h.s.desk.newID(), Name: v.Name, Description: v.Description, All: v.All, Any: v.Any,
			Actions: v.Actions, Active: !v.Inactive, Position: trigger.End(ts, !v.Inactive), CreatedAt: o.now, UpdatedAt: o.now}
		return o.r.Triggers().Insert(ctx, out)
	})
	return result(maskTrigger(out), err)
}

// Update replaces a trigger's name, description, conditions and
// actions (admin); its place and active flag stay. n.Inactive is ignored:
// use Activate and Deactivate. A hook or callback URL sent back masked,
// as read, keeps the stored URL of that action (SEC-1). The trigger is
// returned masked.
func (h Triggers) Update(ctx context.Context, id string, n trigger.New) (trigger.Trigger, error) {
	if err := checkID("trigger", id); err != nil {
		return trigger.Trigger{}, err
	}
	var out trigger.Trigger
	err := h.s.triggerWrite(ctx, "Triggers.Update", func(o *op, ts []trigger.Trigger) error {
		i := slices.IndexFunc(ts, func(t trigger.Trigger) bool { return t.ID == id })
		if i < 0 {
			return errs.NotFound("trigger", id)
		}
		n, err := unmaskActions(n, ts[i].Actions)
		if err != nil {
			return err
		}
		v, err := validTrigger(ctx, o, n)
		if err != nil {
			return err
		}
		cur := ts[i]
		cur.Name, cur.Description, cur.All, cur.Any, cur.Actions, cur.UpdatedAt = v.Name, v.Description, v.All, v.Any, v.Actions, o.now
		if err := o.r.Triggers().Save(ctx, cur); err != nil {
			return err
		}
		out, err = o.r.Triggers().Get(ctx, id)
		return err
	})
	return result(maskTrigger(out), err)
}

// Get returns one trigger (admin), its hook and callback URLs masked
// (SEC-1).
func (h Triggers) Get(ctx context.Context, id string) (trigger.Trigger, error) {
	if err := checkID("trigger", id); err != nil {
		return trigger.Trigger{}, err
	}
	var out trigger.Trigger
	err := h.s.run(ctx, "Triggers.Get", permSettings, func(o *op) (err error) {
		out, err = o.r.Triggers().Get(ctx, id)
		return err
	})
	return result(maskTrigger(out), err)
}

// List returns every trigger (admin): the active ones in run order,
// then the inactive ones; hook and callback URLs masked (SEC-1).
func (h Triggers) List(ctx context.Context) ([]trigger.Trigger, error) {
	var out []trigger.Trigger
	err := h.s.run(ctx, "Triggers.List", permSettings, func(o *op) (err error) {
		out, err = o.r.Triggers().List(ctx)
		return err
	})
	for i := range out {
		out[i] = maskTrigger(out[i])
	}
	return result(out, err)
}

// hasURL reports whether an action of kind k carries a URL, which is a
// credential (SEC-1): a Dooray! hook or a callback.
func hasURL(k trigger.ActionKind) bool { return k == trigger.Callback || k == trigger.Dooray }

// maskTrigger returns t as it reads back: its actions' URLs masked
// (SEC-1). t's own actions are not changed.
func maskTrigger(t trigger.Trigger) trigger.Trigger {
	if !slices.ContainsFunc(t.Actions, func(a trigger.Action) bool { return hasURL(a.Kind) }) {
		return t
	}
	t.Actions = slices.Clone(t.Actions)
	for i, a := range t.Actions {
		if hasURL(a.Kind) {
			t.Actions[i].URL = text.MaskURL(a.URL)
		}
	}
	return t
}

// unmaskActions replaces each masked URL of n's actions by the stored URL
// it masks (SEC-1): that of the stored action at the same index, if of the
// same kind and masked alike, else that of the one stored action of that
// kind masked alike. A masked URL that masks no stored one, or several
// different ones, is a problem of the returned *ValidationError. n's own
// actions are not changed.
func unmaskActions(n trigger.New, stored []trigger.Action) (trigger.New, error) {
	var c errs.Collector
	cloned := false
	for i, a := range n.Actions {
		if !hasURL(a.Kind) || !text.IsMasked(a.URL) {
			continue
		}
		like := func(s trigger.Action) bool { return s.Kind == a.Kind && s.URL != "" && text.MaskURL(s.URL) == a.URL }
		url := ""
		if i < len(stored) && like(stored[i]) {
			url = stored[i].URL
		} else {
			for _, s := range stored {
				if like(s) && url != s.URL {
					if url != "" {
						url = ""
						break // masked alike, but not the same URL: ambiguous
					}
					url = s.URL
				}
			}
		}
		if url == "" {
			at := fmt.Sprintf("actions[%d].url", i)
			c.Add(at, "is a masked value (%s) that stands for no stored URL of this trigger: give the whole URL, or send back the masked value read to keep the stored one (SEC-1)", text.Masked)
			continue
		}
		if !cloned {
			n.Actions, cloned = slices.Clone(n.Actions), true
		}
		n.Actions[i].URL = url
	}
	return n, c.Err()
}

// Activate moves a trigger to the end of the active list (TRG-1).
func (h Triggers) Activate(ctx context.Context, id string) error {
	if err := checkID("trigger", id); err != nil {
		return err
	}
	return h.s.moveTrigger(ctx, "Triggers.Activate", id, true)
}

// Deactivate moves a trigger to the inactive list (TRG-1).
func (h Triggers) Deactivate(ctx context.Context, id string) error {
	if err := checkID("trigger", id); err != nil {
		return err
	}
	return h.s.moveTrigger(ctx, "Triggers.Deactivate", id, false)
}

// moveTrigger moves a trigger to the end of the active or inactive list,
// closing the gap it leaves; one already in that list stays (TRG-1).
func (s *Session) moveTrigger(ctx context.Context, call, id string, active bool) error {
	return s.triggerWrite(ctx, call, func(o *op, ts []trigger.Trigger) error {
		rows, err := trigger.Move(ts, id, active, o.now)
		if err != nil {
			return err
		}
		return o.r.Triggers().Save(ctx, rows...)
	})
}

// Reorder sets the run order of the active triggers; ids must name
// each of them once (TRG-1).
func (h Triggers) Reorder(ctx context.Context, ids []string) error {
	return h.s.triggerWrite(ctx, "Triggers.Reorder", func(o *op, ts []trigger.Trigger) error {
		rows, err := trigger.Reorder(ts, ids)
		if err != nil {
			return err
		}
		return o.r.Triggers().Save(ctx, rows...)
	})
}

// Delete deletes an inactive trigger; an active one is refused with
// trigger.ErrActive (TRG-1).
func (h Triggers) Delete(ctx context.Context, id string) error {
	if err := checkID("trigger", id); err != nil {
		return err
	}
	return h.s.triggerWrite(ctx, "Triggers.Delete", func(o *op, ts []trigger.Trigger) error {
		rows, err := trigger.Remove(ts, id)
		if err != nil {
			return err
		}
		if err := o.r.Triggers().Delete(ctx, id); err != nil {
			return err
		}
		return o.r.Triggers().Save(ctx, rows...)
	})
}

// Source returns the expr program a trigger's conditions compile
// to, one commented line per condition (for dry runs and bug reports).
func (h Triggers) Source(ctx context.Context, id string) (string, error) {
	if err := checkID("trigger", id); err != nil {
		return "", err
	}
	var out string
	err := h.s.run(ctx, "Triggers.Source", permSettings, func(o *op) error {
		t, err := o.r.Triggers().Get(ctx, id)
		if err != nil {
			return err
		}
		sch, err := triggerSchema(ctx, o)
		if err != nil {
			return err
		}
		t.Active = true
		set, err := trigger.Compile([]trigger.Trigger{t}, sch, trigger.Options{})
		if err != nil {
			return err
		}
		out = set.Source(0)
		return nil
	})
	return result(out, err)
}

// DryRun answers which triggers would fire on event ev of ticket id, which
// conditions held and what the triggers would do, without changing
// anything (TRG-8; admin). With change, the event is that update of the
// stored ticket (the ticket before it is the stored one); without, the
// stored ticket as it is (on created: as if just created, so every value
// counts as changed). Assign actions pick as a run would: one whose group
// has no eligible member carries a Warning saying why (the report's ticket
// stays unassigned in the group); one whose group no longer exists carries
// an Error (a run skips it), as does a message action that would reach
// nobody (a notify to the assignee of a ticket without one ...), saying
// why as the run's history would. An event that is not one of
// ticket.Events is refused with a *ValidationError on "event". The URLs of
// the actions read back masked, as the trigger's do (SEC-1).
func (h Triggers) DryRun(ctx context.Context, id string, ev ticket.EventKind, change *ticket.Update) (trigger.Report, error) {
	if err := checkID("trigger", id); err != nil {
		return trigger.Report{}, err
	}
	var out trigger.Report
	err := h.s.run(ctx, "Triggers.DryRun", permSettings, func(o *op) error {
		if !slices.Contains(ticket.Events, ev) {
			return &ValidationError{Problems: []Problem{{Field: "event", Reason: fmt.Sprintf("unknown event %q; events: %v", ev, ticket.Events)}}}
		}
		t, err := o.r.Tickets().Get(ctx, id)
		if err != nil {
			return err
		}
		now := t
		if change != nil {
			now = t.Apply(*change)
		}
		set, err := h.s.triggerSet(ctx, o)
		if err != nil || set == nil {
			out = trigger.Report{Event: ev, Ticket: now, Triggers: []trigger.TriggerReport{}}
			return err
		}
		in, anc := h.s.triggerInput(ctx, o, ev, t)
		if ev == ticket.EventCreated {
			in.Before = ticket.Ticket{}
		}
		// Assignments are picked as a real run picks them (eligibility, a
		// round-robin step): the transaction is rolled back below, so the
		// step is not kept.
		assign := func(a trigger.Action, _ *ticket.Ticket) (string, string, error) {
			g, err := o.r.Groups().Get(ctx, a.GroupID)
			if errors.Is(err, ErrNotFound) {
				return "", "", &trigger.ActionError{Reason: fmt.Sprintf("group %s no longer exists", a.GroupID)}
			} else if err != nil {
				return "", "", err
			}
			return h.s.pickBy(ctx, o, g, strategies[a.Kind], a.AgentID, false)
		}
		// Messages reach whom a run's would, or nobody for the reason
		// its history would give.
		reachable := func(a trigger.Action, t *ticket.Ticket) (string, error) {
			_, why, err := reach(ctx, o, a, t)
			return why, err
		}
		out, err = set.DryRunHooks(in, now, trigger.Hooks{Assign: assign, Reach: reachable})
		if err == nil {
			err = anc.err
		}
		if err == nil {
			err = errDryRun
		}
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return result(maskReport(out), err)
}

// maskReport returns r as it reads back: the URLs of its actions masked,
// as a trigger's are (SEC-1). r's own actions are not changed.
func maskReport(r trigger.Report) trigger.Report {
	r.Triggers = slices.Clone(r.Triggers)
	for i, tr := range r.Triggers {
		if !slices.ContainsFunc(tr.Actions, func(a trigger.ActionReport) bool { return hasURL(a.Action.Kind) }) {
			continue
		}
		tr.Actions = slices.Clone(tr.Actions)
		for j, a := range tr.Actions {
			if hasURL(a.Action.Kind) {
				tr.Actions[j].Action.URL = text.MaskURL(a.Action.URL)
			}
		}
		r.Triggers[i] = tr
	}
	return r
}

// errDryRun rolls a dry run's transaction back: nothing it did is kept.
var errDryRun = errors.New("dry run")

// triggerCache holds a Desk's compiled trigger sets: each service's
// active triggers, compiled under the trigger-set version they were read
// with. A version names a set only within one store, so the cache belongs
// to the Desk (one store), never to the process. A set depends on the
// field definitions too (a slot's type): creating or deleting a field gives
// the trigger set a new version (trigger.Repository.Touch). Categories and
// agents are only ids in a set; category paths are read per event.
type triggerCache struct {
	sets sync.Map // service id → *cachedSet
	// gens counts each service's trigger writes through the Desk, so that
	// an event that read the version before a write committed does not
	// cache what it read after the write dropped the entry.
	gens sync.Map // service id → *atomic.Int64
}

type cachedSet struct {
	version string
	set     *trigger.Set // nil: the service has no trigger
	// checked is when the version was read; with Config.ServiceCacheTTL
	// the desk trusts the entry without reading the version again until
	// the TTL has passed (another process's trigger change is seen after
	// at most the TTL, this desk's at once: its writes drop the entry).
	checked time.Time
}

// gen returns the write counter of service svc.
func (c *triggerCache) gen(svc string) *atomic.Int64 {
	g, _ := c.gens.LoadOrStore(svc, new(atomic.Int64))
	return g.(*atomic.Int64)
}

// store caches cs for svc unless a trigger write ended since gen was read.
func (c *triggerCache) store(svc string, gen int64, cs *cachedSet) {
	if c.gen(svc).Load() == gen {
		c.sets.Store(svc, cs)
	}
}

// drop forgets svc's set after a trigger write.
func (c *triggerCache) drop(svc string) {
	c.gen(svc).Add(1)
	c.sets.Delete(svc)
}

// triggerSet returns the service's compiled active triggers as o's
// transaction sees them; nil when the service has none.
func (s *Session) triggerSet(ctx context.Context, o *op) (*trigger.Set, error) {
	c := &s.desk.triggers
	gen := c.gen(s.svc).Load()
	e, _ := c.sets.Load(s.svc)
	cs, _ := e.(*cachedSet)
	if ttl := s.desk.cacheTTL; cs != nil && ttl > 0 && o.now.Sub(cs.checked) < ttl {
		return cs.set, nil
	}
	// The version is read before the list: a list newer than its version
	// only costs a recompile on the next event, never a stale set.
	v, err := o.r.Triggers().Version(ctx)
	if err != nil {
		return nil, err
	}
	// The set is cached at once under its version, which every later
	// event compares; but it is trusted for the TTL (checked) only once
	// the transaction has committed: the store may have answered the
	// version from a record it then finds stale, and start the
	// transaction over (Store.Tx).
	keep := func(cs *cachedSet) {
		untrusted := *cs
		untrusted.checked = time.Time{}
		c.store(s.svc, gen, &untrusted)
		o.committed = append(o.committed, func() { c.store(s.svc, gen, cs) })
	}
	if cs != nil && cs.version == v {
		if s.desk.cacheTTL > 0 {
			keep(&cachedSet{version: v, set: cs.set, checked: o.now})
		}
		return cs.set, nil
	}
	if v == "" {
		keep(&cachedSet{checked: o.now})
		return nil, nil
	}
	ts, err := o.r.Triggers().List(ctx)
	if err != nil {
		return nil, err
	}
	sch, err := triggerSchema(ctx, o)
	if err != nil {
		return nil, err
	}
	set, err := trigger.Compile(ts, sch, trigger.Options{MaxPasses: s.desk.triggerPasses})
	if err != nil {
		return nil, err
	}
	keep(&cachedSet{version: v, set: set, checked: o.now})
	return set, nil
}

// triggerWrite runs a trigger write (admin): it takes the service's
// trigger lock, reads the triggers and hands them to fn, which checks the
// rules and writes. Then the desk forgets the service's cached set, so its
// next event reads the version again (see cachedSet).
func (s *Session) triggerWrite(ctx context.Context, call string, fn func(*op, []trigger.Trigger) error) error {
	defer s.desk.triggers.drop(s.svc)
	return s.run(ctx, call, permSettings, func(o *op) error {
		if err := o.r.Triggers().Lock(ctx); err != nil {
			return err
		}
		ts, err := o.r.Triggers().List(ctx)
		if err != nil {
			return err
		}
		return fn(o, ts)
	})
}

// ancestors reads category paths for "is under" conditions, once per
// category per event; the first storage error is kept for the caller.
type ancestors struct {
	paths map[string][]string
	err   error
}

// triggerInput returns the engine input of event ev on a ticket whose
// stored state is before.
func (s *Session) triggerInput(ctx context.Context, o *op, ev ticket.EventKind, before ticket.Ticket) (trigger.Input, *ancestors) {
	anc := &ancestors{paths: map[string][]string{}}
	return trigger.Input{Event: ev, Before: before, Now: o.now, Ancestors: func(id string) []string {
		if p, ok := anc.paths[id]; ok {
			return p
		}
		c, err := o.r.Categories().Get(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) && anc.err == nil {
			anc.err = err
		}
		anc.paths[id] = c.Path
		return c.Path
	}}, anc
}

// runTriggers runs the service's triggers on event ev of ticket t, whose
// stored state is before (the zero ticket on created), TRG-7. Ticket
// changes apply to t; the returned effects hold the history rows of the
// firings and the notes and outbox messages to write once t is stored.
func (s *Session) runTriggers(ctx context.Context, o *op, ev ticket.EventKind, before ticket.Ticket, t *ticket.Ticket) (*effects, error) {
	fx := &effects{s: s, o: o, ev: ev}
	set, err := s.triggerSet(ctx, o)
	if err != nil || set == nil {
		return fx, err
	}
	in, anc := s.triggerInput(ctx, o, ev, before)
	out, err := set.Run(ctx, in, t, fx)
	if err == nil {
		err = anc.err
	}
	if err != nil {
		return nil, err
	}
	if out.Bounded {
		fx.rows = append(fx.rows, fx.row(ticket.FieldTriggerPasses, "",
			fmt.Sprintf("trigger evaluation stopped after %d passes (TRG-7)", out.Passes)))
	}
	return fx, nil
}

// summary lists a trigger's actions for its history row.
func summary(tr *trigger.Trigger) string {
	parts := make([]string, len(tr.Actions))
	for i, a := range tr.Actions {
		parts[i] = trigger.Describe(a)
	}
	return tr.Name + ": " + strings.Join(parts, "; ")
}
