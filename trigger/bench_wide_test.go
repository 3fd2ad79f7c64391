package trigger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// The wide workload: most triggers pass the event / status / priority /
// channel prefilter (they test those loosely or not at all) and decide on
// categories (is, in, is_under, is_under_any), group, assignee, custom
// fields of several kinds (number, select, multi select, checkbox, text),
// tags and changed_to. Values come from small pools, as in a real service:
// many triggers share conditions.

// wideFields are benchFields (size, plan) and more kinds.
var wideFields = append(slices.Clone(benchFields), []field.Field{
	{Key: "features", Kind: field.KindCustomer, Type: field.TypeMultiSelect, Options: wideOptions("f", 10)},
	{Key: "vip", Kind: field.KindCustomer, Type: field.TypeCheckbox},
	{Key: "region", Kind: field.KindCustomer, Type: field.TypeText},
	{Key: "tier", Kind: field.KindAgent, Type: field.TypeSelect, Options: wideOptions("t", 3)},
}...)

func wideOptions(prefix string, n int) []field.Option {
	out := make([]field.Option, n)
	for i := range out {
		out[i] = field.Option{Value: fmt.Sprintf("%s%d", prefix, i)}
	}
	return out
}

func wideSchema() *Schema { return NewSchema(wideFields, []string{"ko", "en"}, "ko") }

// wideCategory returns the id of category c of root r in tree (a prefix:
// "ic" intake, "pc" processing); c < 0 is the root itself.
func wideCategory(tree string, r, c int) string {
	if c < 0 {
		return fmt.Sprintf("%s-%d", tree, r)
	}
	return fmt.Sprintf("%s-%d-%d", tree, r, c)
}

// wideParents maps each child category of both trees to its root, as a
// host's cached category tree answers Input.Ancestors (without allocating).
var wideParents = func() map[string][]string {
	m := map[string][]string{}
	for _, tree := range []string{"ic", "pc"} {
		for r := range 8 {
			for c := range 5 {
				m[wideCategory(tree, r, c)] = []string{wideCategory(tree, r, -1)}
			}
		}
	}
	return m
}()

// wideAncestors answers Input.Ancestors for the two-level category trees.
func wideAncestors(id string) []string { return wideParents[id] }

// wideRandCategory is a random category of tree: a root (1 in 4) or a child.
func wideRandCategory(r *rand.Rand, tree string) string {
	if r.IntN(4) == 0 {
		return wideCategory(tree, r.IntN(8), -1)
	}
	return wideCategory(tree, r.IntN(8), r.IntN(5))
}

func wideList(r *rand.Rand, n int, pick func() string) []string {
	var out []string
	for len(out) < n {
		if v := pick(); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func wideTriggers(n int) []Trigger {
	r := rand.New(rand.NewPCG(uint64(n), 2))
	group := func() string { return fmt.Sprintf("g%d", r.IntN(20)) }
	agent := func() string { return fmt.Sprintf("a%d", r.IntN(50)) }
	ts := make([]Trigger, n)
	for i := range ts {
		t := Trigger{ID: fmt.Sprintf("w%05d", i), Name: fmt.Sprintf("wide %d", i), Active: true, Position: i,
			Actions: []Action{{Kind: AddTags, Tags: []string{"x"}}}}
		add := func(c Condition) { t.All = append(t.All, c) }
		// The loose prefilter: 4 in 5 triggers pass it on an update of an
		// open, high-priority email ticket.
		switch r.IntN(5) {
		case 0:
			add(Condition{Target: TargetEvent, Op: Is, Value: "created"})
		case 1:
			add(Condition{Target: TargetEvent, Op: IsNot, Value: "created"})
		case 2:
			add(Condition{Target: TargetStatus, Op: NotIn, Value: []string{"closed", "solved"}})
		case 3:
			add(Condition{Target: TargetChannel, Op: In, Value: []string{"chat", "email", "help_center"}})
		}
		// Categories, 3 in 4.
		switch r.IntN(8) {
		case 0:
			add(Condition{Target: TargetIntakeCategory, Op: Is, Value: wideRandCategory(r, "ic")})
		case 1:
			add(Condition{Target: TargetIntakeCategory, Op: In, Value: wideList(r, 3, func() string { return wideRandCategory(r, "ic") })})
		case 2, 3:
			add(Condition{Target: TargetIntakeCategory, Op: IsUnderAny, Value: wideList(r, 3, func() string { return wideRandCategory(r, "ic") })})
		case 4:
			add(Condition{Target: TargetProcessingCategory, Op: IsUnder, Value: wideCategory("pc", r.IntN(8), -1)})
		case 5:
			add(Condition{Target: TargetProcessingCategory, Op: NotIn, Value: wideList(r, 2, func() string { return wideRandCategory(r, "pc") })})
		}
		// Group, 1 in 2.
		switch r.IntN(6) {
		case 0:
			add(Condition{Target: TargetGroup, Op: Is, Value: group()})
		case 1:
			add(Condition{Target: TargetGroup, Op: In, Value: wideList(r, 4, group)})
		case 2:
			add(Condition{Target: TargetGroup, Op: IsNot, Value: group()})
		}
		// Assignee, 1 in 3.
		switch r.IntN(9) {
		case 0:
			add(Condition{Target: TargetAssignee, Op: Is, Value: agent()})
		case 1:
			add(Condition{Target: TargetAssignee, Op: Present})
		case 2:
			add(Condition{Target: TargetAssignee, Op: Absent})
		}
		// Two or three any conditions on fields, tags and changes.
		for range 2 + r.IntN(2) {
			var c Condition
			switch r.IntN(10) {
			case 0:
				c = Condition{Target: "customer_fields.size", Op: GreaterThan, Value: float64(r.IntN(20))}
			case 1:
				c = Condition{Target: "customer_fields.plan", Op: Is, Value: []string{"free", "pro", "team"}[r.IntN(3)]}
			case 2:
				c = Condition{Target: "customer_fields.features", Op: Contains, Value: fmt.Sprintf("f%d", r.IntN(10))}
			case 3:
				c = Condition{Target: "customer_fields.vip", Op: Is, Value: r.IntN(2) == 0}
			case 4:
				c = Condition{Target: "customer_fields.region", Op: Is, Value: []string{"kr", "jp", "us"}[r.IntN(3)]}
			case 5:
				c = Condition{Target: "agent_fields.tier", Op: In, Value: wideList(r, 2, func() string { return fmt.Sprintf("t%d", r.IntN(3)) })}
			case 6:
				c = Condition{Target: TargetTags, Op: Contains, Value: fmt.Sprintf("tag%d", r.IntN(30))}
			case 7:
				c = Condition{Target: TargetStatus, Op: ChangedTo, Value: []string{"open", "pending", "solved"}[r.IntN(3)]}
			case 8:
				c = Condition{Target: TargetPriority, Op: ChangedTo, Value: string(ticket.Priorities[r.IntN(4)])}
			default:
				c = Condition{Target: TargetGroup, Op: ChangedTo, Value: group()}
			}
			t.Any = append(t.Any, c)
		}
		ts[i] = t
	}
	return ts
}

// wideTicket is the benchmark's ticket: an update of an open, high
// priority email ticket that was pending and moved to group g4.
func wideTicket() (now, before ticket.Ticket) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	now = ticket.Ticket{ID: "tk1", ServiceID: "s", Number: 1, Version: 3, Title: "배송 문의", Content: "주문 했는데 아직 안 왔어요",
		Channel: ticket.ChannelEmail, Language: "ko", Status: ticket.StatusOpen, Priority: ticket.PriorityHigh,
		IntakeCategoryID: "ic-3-2", ProcessingCategoryID: "pc-1-4", GroupID: "g4", AssigneeID: "a7",
		Requester: ticket.Requester{Email: "kim@example.com"}, Tags: []string{"tag3", "tag7", "vip"},
		CustomerFields: ticket.Fields{"size": 12.0, "plan": "pro", "features": []string{"f1", "f4"}, "vip": true, "region": "kr"},
		AgentFields:    ticket.Fields{"tier": "t2"},
		CreatedAt:      at, UpdatedAt: at.Add(time.Hour)}
	before = now.Clone()
	before.Status, before.GroupID = ticket.StatusPending, "g1"
	return now, before
}

// wideRandTicket is a random ticket for the agreement test; fields may be
// missing.
func wideRandTicket(r *rand.Rand) ticket.Ticket {
	maybe := func(s string) string {
		if r.IntN(5) == 0 {
			return ""
		}
		return s
	}
	t := ticket.Ticket{ID: "tk", ServiceID: "s", Number: 1, Version: 1, Title: "t", Content: "c",
		Channel: ticket.Channels[r.IntN(len(ticket.Channels))], Language: "ko",
		Status: ticket.Statuses[r.IntN(len(ticket.Statuses))], Priority: ticket.Priorities[r.IntN(4)],
		IntakeCategoryID: maybe(wideRandCategory(r, "ic")), ProcessingCategoryID: maybe(wideRandCategory(r, "pc")),
		GroupID: maybe(fmt.Sprintf("g%d", r.IntN(20))), AssigneeID: maybe(fmt.Sprintf("a%d", r.IntN(50))),
		CustomerFields: ticket.Fields{}, AgentFields: ticket.Fields{}}
	for range r.IntN(4) {
		t.Tags = append(t.Tags, fmt.Sprintf("tag%d", r.IntN(30)))
	}
	t.Tags = slices.Compact(slices.Sorted(slices.Values(t.Tags)))
	if r.IntN(4) > 0 {
		t.CustomerFields["size"] = float64(r.IntN(25))
	}
	if r.IntN(4) > 0 {
		t.CustomerFields["plan"] = []string{"free", "pro", "team"}[r.IntN(3)]
	}
	if r.IntN(4) > 0 {
		t.CustomerFields["features"] = wideList(r, 1+r.IntN(3), func() string { return fmt.Sprintf("f%d", r.IntN(10)) })
	}
	if r.IntN(4) > 0 {
		t.CustomerFields["vip"] = r.IntN(2) == 0
	}
	if r.IntN(4) > 0 {
		t.CustomerFields["region"] = []string{"kr", "jp", "us"}[r.IntN(3)]
	}
	if r.IntN(4) > 0 {
		t.AgentFields["tier"] = fmt.Sprintf("t%d", r.IntN(3))
	}
	return t
}

// wideEvent is what the hand-written wide rules read.
type wideEvent struct {
	ev          ticket.EventKind
	now, before *ticket.Ticket
	ancestors   func(string) []string
}

// handwrittenWide builds the wide rules as plain Go closures, once; like
// handwritten, it evaluates every rule.
func handwrittenWide(ts []Trigger) []func(*wideEvent) bool {
	return handwrittenRules(ts, hwWideCondition)
}

func hwIn(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// hwUnder reports whether category id is one of l or lies below one.
func hwUnder(e *wideEvent, id string, l []string) bool {
	if id == "" {
		return false
	}
	if hwIn(l, id) {
		return true
	}
	for _, a := range e.ancestors(id) {
		if hwIn(l, a) {
			return true
		}
	}
	return false
}

func hwWideCondition(c Condition) func(*wideEvent) bool {
	str, _ := c.Value.(string)
	list, _ := c.Value.([]string)
	switch {
	case c.Target == TargetEvent && c.Op == Is:
		return func(e *wideEvent) bool { return string(e.ev) == str }
	case c.Target == TargetEvent && c.Op == IsNot:
		return func(e *wideEvent) bool { return string(e.ev) != str }
	case c.Target == TargetStatus && c.Op == NotIn:
		return func(e *wideEvent) bool { return !hwIn(list, string(e.now.Status)) }
	case c.Target == TargetChannel && c.Op == In:
		return func(e *wideEvent) bool { return hwIn(list, string(e.now.Channel)) }
	case c.Target == TargetIntakeCategory && c.Op == Is:
		return func(e *wideEvent) bool { return e.now.IntakeCategoryID == str }
	case c.Target == TargetIntakeCategory && c.Op == In:
		return func(e *wideEvent) bool { return hwIn(list, e.now.IntakeCategoryID) }
	case c.Target == TargetIntakeCategory && c.Op == IsUnderAny:
		return func(e *wideEvent) bool { return hwUnder(e, e.now.IntakeCategoryID, list) }
	case c.Target == TargetProcessingCategory && c.Op == IsUnder:
		l := []string{str}
		return func(e *wideEvent) bool { return hwUnder(e, e.now.ProcessingCategoryID, l) }
	case c.Target == TargetProcessingCategory && c.Op == NotIn:
		return func(e *wideEvent) bool { return !hwIn(list, e.now.ProcessingCategoryID) }
	case c.Target == TargetGroup && c.Op == Is:
		return func(e *wideEvent) bool { return e.now.GroupID == str }
	case c.Target == TargetGroup && c.Op == In:
		return func(e *wideEvent) bool { return hwIn(list, e.now.GroupID) }
	case c.Target == TargetGroup && c.Op == IsNot:
		return func(e *wideEvent) bool { return e.now.GroupID != str }
	case c.Target == TargetGroup && c.Op == ChangedTo:
		return func(e *wideEvent) bool { return e.now.GroupID != e.before.GroupID && e.now.GroupID == str }
	case c.Target == TargetAssignee && c.Op == Is:
		return func(e *wideEvent) bool { return e.now.AssigneeID == str }
	case c.Target == TargetAssignee && c.Op == Present:
		return func(e *wideEvent) bool { return e.now.AssigneeID != "" }
	case c.Target == TargetAssignee && c.Op == Absent:
		return func(e *wideEvent) bool { return e.now.AssigneeID == "" }
	case c.Target == "customer_fields.size":
		v := c.Value.(float64)
		return func(e *wideEvent) bool {
			x, ok := e.now.CustomerFields["size"].(float64)
			return ok && x > v
		}
	case c.Target == "customer_fields.plan" || c.Target == "customer_fields.region":
		_, key, _ := SplitField(c.Target)
		return func(e *wideEvent) bool {
			x, _ := e.now.CustomerFields[key].(string)
			return x == str
		}
	case c.Target == "customer_fields.features":
		return func(e *wideEvent) bool {
			x, _ := e.now.CustomerFields["features"].([]string)
			return hwIn(x, str)
		}
	case c.Target == "customer_fields.vip":
		v := c.Value.(bool)
		return func(e *wideEvent) bool {
			x, _ := e.now.CustomerFields["vip"].(bool)
			return x == v
		}
	case c.Target == "agent_fields.tier":
		return func(e *wideEvent) bool {
			x, _ := e.now.AgentFields["tier"].(string)
			return x != "" && hwIn(list, x)
		}
	case c.Target == TargetTags:
		return func(e *wideEvent) bool { return hwIn(e.now.Tags, str) }
	case c.Target == TargetStatus && c.Op == ChangedTo:
		return func(e *wideEvent) bool { return e.now.Status != e.before.Status && string(e.now.Status) == str }
	case c.Target == TargetPriority && c.Op == ChangedTo:
		return func(e *wideEvent) bool {
			return e.now.Priority != e.before.Priority && string(e.now.Priority) == str
		}
	}
	panic(fmt.Sprintf("no hand-written form of %+v", c))
}

var wideSizes = []int{1000, 10000}

func BenchmarkEngineWide(b *testing.B) {
	now, before := wideTicket()
	in := Input{Event: ticket.EventUpdated, Before: before, Now: now.UpdatedAt.Add(time.Hour), Ancestors: wideAncestors}
	benchEngine(b, wideSizes, wideTriggers, wideSchema(), in, now)
}

func BenchmarkHandwrittenWide(b *testing.B) {
	now, before := wideTicket()
	benchRules(b, wideSizes, wideTriggers, hwWideCondition, func() wideEvent {
		return wideEvent{ev: ticket.EventUpdated, now: &now, before: &before, ancestors: wideAncestors}
	})
}

// BenchmarkCompileSizes compiles n triggers of each workload per op and
// reports the heap a compiled trigger keeps (measured after a GC around
// one more compile).
func BenchmarkCompileSizes(b *testing.B) {
	workloads := []struct {
		name   string
		make   func(int) []Trigger
		schema func() *Schema
	}{{"prefiltered", benchTriggers, benchSchema}, {"wide", wideTriggers, wideSchema}}
	for _, w := range workloads {
		for _, n := range wideSizes {
			b.Run(fmt.Sprintf("%s/triggers=%d", w.name, n), func(b *testing.B) {
				benchCompile(b, n, w.make, w.schema())
			})
		}
	}
}

// agree runs set on event in of ticket tk (an applier that changes
// nothing) and fails unless exactly the triggers whose hand-written rule
// holds on e fired; it returns how many fired. n numbers the event.
func agree[E any](t *testing.T, set *Set, in Input, tk ticket.Ticket, rules []func(*E) bool, e *E, n int) int {
	t.Helper()
	rec := &recorder{}
	if _, err := set.Run(context.Background(), in, &tk, rec); err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool, len(rec.ids))
	for _, id := range rec.ids {
		got[id] = true
	}
	for i, rule := range rules {
		id := set.triggers[i].ID
		if want := rule(e); want != got[id] {
			t.Fatalf("event %d (%s): %s: engine %v, hand-written %v\n%s", n, in.Event, id, got[id], want, set.Source(i))
		}
	}
	return len(got)
}

// eventCount is n, a tenth of it with -short.
func eventCount(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

func mustCompile(t *testing.T, ts []Trigger, s *Schema) *Set {
	t.Helper()
	set, err := Compile(ts, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestEngine_TRG2_WideMatchesHandwritten: on thousands of random events
// (seeded) the engine fires exactly the wide triggers whose hand-written
// closures hold (TRG-2 all/any semantics, TRG-3 targets, TRG-4 operators).
func TestEngine_TRG2_WideMatchesHandwritten(t *testing.T) {
	ts := wideTriggers(1000)
	set := mustCompile(t, ts, wideSchema())
	rules := handwrittenWide(ts)
	r := rand.New(rand.NewPCG(17, 17))
	total := 0
	for n := range eventCount(3000) {
		now := wideRandTicket(r)
		before := wideRandTicket(r)
		if r.IntN(3) == 0 {
			before = now.Clone()
			before.Status = ticket.Statuses[r.IntN(len(ticket.Statuses))]
		}
		ev := ticket.Events[r.IntN(len(ticket.Events))]
		if ev == ticket.EventCreated {
			before = ticket.Ticket{}
		}
		e := wideEvent{ev: ev, now: &now, before: &before, ancestors: wideAncestors}
		total += agree(t, set, Input{Event: ev, Before: before, Now: now.UpdatedAt, Ancestors: wideAncestors}, now, rules, &e, n)
	}
	if total == 0 {
		t.Fatal("nothing fired")
	}
}

// TestEngine_TRG2_PrefilteredMatchesHandwritten: the same on the
// prefiltered (contains) workload, on random events.
func TestEngine_TRG2_PrefilteredMatchesHandwritten(t *testing.T) {
	ts := benchTriggers(1000)
	set := mustCompile(t, ts, benchSchema())
	rules := handwritten(ts)
	base, _ := benchTicket()
	r := rand.New(rand.NewPCG(18, 18))
	total := 0
	for n := range eventCount(2000) {
		now := base.Clone()
		var b strings.Builder
		for range 40 {
			b.WriteString(benchWords[r.IntN(len(benchWords))])
			b.WriteString(" ")
		}
		now.Content = b.String()
		now.Status = ticket.Statuses[r.IntN(len(ticket.Statuses))]
		now.Priority = ticket.Priorities[r.IntN(4)]
		now.Channel = ticket.Channels[r.IntN(len(ticket.Channels))]
		now.Tags = []string{fmt.Sprintf("tag%d", r.IntN(50))}
		now.CustomerFields = ticket.Fields{"size": float64(r.IntN(25))}
		before := now.Clone()
		before.Status = ticket.Statuses[r.IntN(len(ticket.Statuses))]
		before.Priority = ticket.Priorities[r.IntN(4)]
		ev := ticket.Events[1+r.IntN(len(ticket.Events)-1)]
		e := hwEvent{ev: ev, now: &now, before: &before, lowerContent: strings.ToLower(now.Content)}
		total += agree(t, set, Input{Event: ev, Before: before, Now: now.UpdatedAt}, now, rules, &e, n)
	}
	if total == 0 {
		t.Fatal("nothing fired")
	}
}
