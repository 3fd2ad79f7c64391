package trigger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// The benchmark workload: n triggers of 4 conditions each (2 all, 2 any)
// over a realistic mix of operators — event and status/priority/channel
// equality, contains on a 2 KB content, changed, tags, a number field —
// and one "updated" event on a ticket whose priority just changed.

var benchFields = []field.Field{
	{Key: "size", Kind: field.KindCustomer, Type: field.TypeNumber},
	{Key: "plan", Kind: field.KindCustomer, Type: field.TypeSelect, Options: []field.Option{{Value: "free"}, {Value: "pro"}, {Value: "team"}}},
}

func benchSchema() *Schema { return NewSchema(benchFields, []string{"ko", "en"}, "ko") }

// benchWords is the vocabulary contains conditions draw from.
var benchWords = func() []string {
	r := rand.New(rand.NewPCG(7, 7))
	syll := []string{"환", "불", "배", "송", "결", "제", "취", "소", "ref", "und", "ship", "pay", "can", "cel", "acc", "ount"}
	var out []string
	seen := map[string]bool{}
	for len(out) < 20000 { // of 16⁴ combinations
		w := syll[r.IntN(len(syll))] + syll[r.IntN(len(syll))] + syll[r.IntN(len(syll))] + syll[r.IntN(len(syll))]
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}()

func benchTriggers(n int) []Trigger {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	events := []string{"created", "updated", "customer_replied", "agent_replied"}
	ts := make([]Trigger, n)
	for i := range ts {
		t := Trigger{ID: fmt.Sprintf("t%05d", i), Name: fmt.Sprintf("rule %d", i), Active: true, Position: i,
			Actions: []Action{{Kind: AddTags, Tags: []string{"x"}}}}
		t.All = append(t.All, Condition{Target: TargetEvent, Op: Is, Value: events[r.IntN(4)]})
		switch r.IntN(3) {
		case 0:
			t.All = append(t.All, Condition{Target: TargetStatus, Op: In, Value: []string{"new", "open"}})
		case 1:
			t.All = append(t.All, Condition{Target: TargetPriority, Op: Is, Value: string(ticket.Priorities[r.IntN(4)])})
		default:
			t.All = append(t.All, Condition{Target: TargetChannel, Op: IsNot, Value: string(ticket.Channels[r.IntN(6)])})
		}
		t.Any = append(t.Any, Condition{Target: TargetContent, Op: Contains, Value: benchWords[r.IntN(len(benchWords))]})
		switch r.IntN(4) {
		case 0:
			t.Any = append(t.Any, Condition{Target: TargetPriority, Op: Changed})
		case 1:
			t.Any = append(t.Any, Condition{Target: TargetTags, Op: Contains, Value: fmt.Sprintf("tag%d", r.IntN(50))})
		case 2:
			t.Any = append(t.Any, Condition{Target: "customer_fields.size", Op: GreaterThan, Value: float64(r.IntN(20))})
		default:
			t.Any = append(t.Any, Condition{Target: TargetStatus, Op: ChangedTo, Value: "open"})
		}
		ts[i] = t
	}
	return ts
}

func benchTicket() (now, before ticket.Ticket) {
	r := rand.New(rand.NewPCG(3, 3))
	var b strings.Builder
	for b.Len() < 2048 {
		b.WriteString(benchWords[r.IntN(len(benchWords))])
		b.WriteString(" 주문 했는데 아직 안 왔어요. Where is my order? ")
	}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	now = ticket.Ticket{ID: "tk1", ServiceID: "s", Number: 1, Version: 3, Title: "배송 문의 Shipping", Content: b.String(),
		Channel: ticket.ChannelEmail, Language: "ko", Status: ticket.StatusOpen, Priority: ticket.PriorityHigh,
		Requester: ticket.Requester{Email: "Kim@Example.com"}, Tags: []string{"tag3", "tag7", "vip"},
		CustomerFields: ticket.Fields{"size": 12.0, "plan": "pro"}, CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	before = now.Clone()
	before.Priority = ticket.PriorityNormal
	return now, before
}

// nopApplier fires nothing into the world and changes nothing.
type nopApplier struct{ fired int }

func (a *nopApplier) Apply(context.Context, *Trigger, *ticket.Ticket) (bool, error) {
	a.fired++
	return false, nil
}

var benchSizes = []int{1, 100, 1000, 10000}

func BenchmarkEngine(b *testing.B) {
	now, before := benchTicket()
	in := Input{Event: ticket.EventUpdated, Before: before, Now: now.UpdatedAt.Add(time.Hour)}
	benchEngine(b, benchSizes, benchTriggers, benchSchema(), in, now)
}

// benchEngine runs a set of n triggers of workload on event in of ticket
// now, for each n of sizes.
func benchEngine(b *testing.B, sizes []int, workload func(int) []Trigger, s *Schema, in Input, now ticket.Ticket) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("triggers=%d", n), func(b *testing.B) {
			set, err := Compile(workload(n), s, Options{})
			if err != nil {
				b.Fatal(err)
			}
			a := &nopApplier{}
			ctx := context.Background()
			t := now.Clone()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := set.Run(ctx, in, &t, a); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/trigger")
			b.ReportMetric(float64(a.fired)/float64(b.N), "fired/op")
		})
	}
}

// benchRules evaluates the hand-written rules of n triggers of workload
// on the event newEvent returns (built once per op), for each n of sizes.
func benchRules[E any](b *testing.B, sizes []int, workload func(int) []Trigger, cond func(Condition) func(*E) bool, newEvent func() E) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("triggers=%d", n), func(b *testing.B) {
			rules := handwrittenRules(workload(n), cond)
			fired := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e := newEvent()
				for _, r := range rules {
					if r(&e) {
						fired++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/trigger")
			b.ReportMetric(float64(fired)/float64(b.N), "fired/op")
		})
	}
}

// hwEvent is what the hand-written rules read: the ticket now and before,
// the content lower-cased once per event.
type hwEvent struct {
	ev           ticket.EventKind
	now, before  *ticket.Ticket
	lowerContent string
}

// handwritten builds the rules of ts as plain Go closures, once; the
// baseline evaluates every rule (no index), which is what the rules cost
// written by hand.
func handwritten(ts []Trigger) []func(*hwEvent) bool { return handwrittenRules(ts, hwCondition) }

// handwrittenRules builds one closure per trigger of ts over the
// closures cond makes of its conditions: every all condition, then one
// any condition when it has any (TRG-2).
func handwrittenRules[E any](ts []Trigger, cond func(Condition) func(*E) bool) []func(*E) bool {
	out := make([]func(*E) bool, len(ts))
	for i, t := range ts {
		var all, anys []func(*E) bool
		for _, c := range t.All {
			all = append(all, cond(c))
		}
		for _, c := range t.Any {
			anys = append(anys, cond(c))
		}
		out[i] = func(e *E) bool {
			for _, f := range all {
				if !f(e) {
					return false
				}
			}
			if len(anys) == 0 {
				return true
			}
			for _, f := range anys {
				if f(e) {
					return true
				}
			}
			return false
		}
	}
	return out
}

func hwCondition(c Condition) func(*hwEvent) bool {
	switch {
	case c.Target == TargetEvent:
		v := ticket.EventKind(c.Value.(string))
		return func(e *hwEvent) bool { return e.ev == v }
	case c.Target == TargetStatus && c.Op == In:
		l := c.Value.([]string)
		return func(e *hwEvent) bool {
			for _, s := range l {
				if string(e.now.Status) == s {
					return true
				}
			}
			return false
		}
	case c.Target == TargetStatus && c.Op == ChangedTo:
		v := ticket.Status(c.Value.(string))
		return func(e *hwEvent) bool { return e.now.Status != e.before.Status && e.now.Status == v }
	case c.Target == TargetPriority && c.Op == Is:
		v := ticket.Priority(c.Value.(string))
		return func(e *hwEvent) bool { return e.now.Priority == v }
	case c.Target == TargetPriority && c.Op == Changed:
		return func(e *hwEvent) bool { return e.now.Priority != e.before.Priority }
	case c.Target == TargetChannel:
		v := ticket.Channel(c.Value.(string))
		return func(e *hwEvent) bool { return e.now.Channel != v }
	case c.Target == TargetContent:
		w := strings.ToLower(c.Value.(string))
		return func(e *hwEvent) bool { return strings.Contains(e.lowerContent, w) }
	case c.Target == TargetTags:
		v := c.Value.(string)
		return func(e *hwEvent) bool {
			for _, tg := range e.now.Tags {
				if tg == v {
					return true
				}
			}
			return false
		}
	case c.Target == "customer_fields.size":
		v := c.Value.(float64)
		return func(e *hwEvent) bool {
			x, ok := e.now.CustomerFields["size"].(float64)
			return ok && x > v
		}
	}
	panic(fmt.Sprintf("no hand-written form of %+v", c))
}

func BenchmarkHandwritten(b *testing.B) {
	now, before := benchTicket()
	benchRules(b, benchSizes, benchTriggers, hwCondition, func() hwEvent {
		return hwEvent{ev: ticket.EventUpdated, now: &now, before: &before, lowerContent: strings.ToLower(now.Content)}
	})
}

// BenchmarkCompile compiles 1,000 triggers per op and reports the heap
// a compiled trigger keeps.
func BenchmarkCompile(b *testing.B) {
	benchCompile(b, 1000, benchTriggers, benchSchema())
}

// benchCompile compiles n triggers of workload per op, then reports the
// heap a compiled trigger keeps: the live heap after a GC, from before the
// triggers are made to after the set is compiled and the triggers dropped
// (what a cached set pins, strings shared with its input included).
func benchCompile(b *testing.B, n int, workload func(int) []Trigger, s *Schema) {
	ts := workload(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(ts, s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ts = nil
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	set := compileDropped(b, n, workload, s)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/float64(n), "retained-B/trigger")
	runtime.KeepAlive(set)
}

// compileDropped compiles n new triggers of workload; they are garbage
// once it returns.
//
//go:noinline
func compileDropped(b *testing.B, n int, workload func(int) []Trigger, s *Schema) *Set {
	set, err := Compile(workload(n), s, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return set
}
