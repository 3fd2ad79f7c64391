package trigger

import (
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/expr-lang/expr"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// bytePicker draws choices from the fuzzer's bytes; past their end every
// choice is 0.
type bytePicker struct {
	b []byte
	i int
}

func (p *bytePicker) byte() byte {
	if p.i >= len(p.b) {
		return 0
	}
	c := p.b[p.i]
	p.i++
	return c
}

// IntN returns a number in [0, n).
func (p *bytePicker) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	v := int(p.byte())
	if n > 256 {
		v = v<<8 | int(p.byte())
	}
	return v % n
}

// str returns the next 0 to 31 bytes as a string (any bytes at all).
func (p *bytePicker) str() string {
	n := p.IntN(32)
	start := min(p.i, len(p.b))
	end := min(start+n, len(p.b))
	p.i = start + n
	return string(p.b[start:end])
}

func (p *bytePicker) float() float64 {
	var b [8]byte
	for i := range b {
		b[i] = p.byte()
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
}

// anyValue is a value of any shape, from the pools or the bytes. (Choice
// 0, what the bytes give past their end, is always the ordinary one.)
func (p *bytePicker) anyValue(tg Target, op Op) any {
	switch p.IntN(24) {
	case 1:
		return p.str()
	case 2:
		if p.IntN(2) == 0 {
			return float64(int8(p.byte()))
		}
		return p.float()
	case 3:
		return []string{p.str(), pick(p, wordPool)}
	case 4:
		return []any{p.str(), float64(p.byte())}
	case 5:
		return pick(p, []any{nil, true, false, 3, int64(-2), float32(0.5), []string{}, []any{}, map[string]any{}})
	case 6:
		if tg.Type != "" {
			return genList(p, tg)
		}
	}
	if tg.Type == "" {
		return p.str()
	}
	return genValue(p, tg, op)
}

// fuzzCondition draws a condition: mostly a target and operator of the
// schema, sometimes anything.
func fuzzCondition(p *bytePicker, s *Schema) Condition {
	var tg Target
	switch p.IntN(32) {
	case 30:
		tg = Target{Name: p.str()}
	case 31:
		tg = Target{Name: pick(p, []string{"customer_fields.", "agent_fields."}) + p.str()}
	default:
		tg = pick(p, s.Targets)
	}
	op := pick(p, Ops)
	if len(tg.Ops) > 0 && p.IntN(16) != 15 {
		op = pick(p, tg.Ops)
	}
	return Condition{Target: tg.Name, Op: op, Value: p.anyValue(tg, op)}
}

// text draws a per-language text: mostly one in the default language with
// good codes, sometimes texts in other (or no) languages, bad codes and
// arbitrary bytes.
func (p *bytePicker) text() i18n.Text {
	t := i18n.Text{"ko": pick(p, wordPool) + " #{ticketId}"}
	for range p.IntN(3) {
		lang := pick(p, testLanguages)
		if p.IntN(8) == 7 {
			lang = p.str()
		}
		switch p.IntN(8) {
		case 5:
			t[lang] = p.str()
		case 6:
			t[lang] = "#{title} #{field." + pick(p, []string{"size", "score", "call_direction", "nope", p.str()}) + "}"
		case 7:
			t[lang] = "#{" + p.str() + "}"
		default:
			t[lang] = pick(p, wordPool)
		}
	}
	return t
}

// fuzzAction draws an action of any kind, with fields from the pools or
// the bytes.
func fuzzAction(p *bytePicker, s *Schema) Action {
	a := Action{Kind: pick(p, ActionKinds)}
	if p.IntN(32) == 31 {
		a.Kind = ActionKind(p.str())
	}
	id := func(pool []string) string {
		if p.IntN(16) == 15 {
			return p.str()
		}
		return pick(p, pool)
	}
	switch a.Kind {
	case AssignRandom, AssignRoundRobin, AssignFixed:
		a.GroupID = id(groupPool)
		if a.Kind == AssignFixed || p.IntN(8) == 7 {
			a.AgentID = id(agentPool)
		}
	case SetStatus:
		a.Value = id(strs(ticket.Statuses))
	case SetPriority:
		a.Value = id(strs(ticket.Priorities))
	case SetProcessingCategory:
		a.CategoryID = id(append(slicesConcat(processingPool, intakePool), ""))
	case SetField:
		tg := pick(p, s.Targets)
		a.Field = tg.Name
		if p.IntN(16) == 15 {
			a.Field = p.str()
		}
		if tg.Field != nil && p.IntN(4) != 3 {
			a.Value = genFieldValue(p, tg)
		} else {
			a.Value = p.anyValue(Target{}, Is)
		}
	case AddTags, RemoveTags:
		for range 1 + p.IntN(3) {
			a.Tags = append(a.Tags, id(tagPool))
		}
	case Forward, ForwardAndComplete:
		a.Addresses = []string{id([]string{"ops@example.com", "legal@example.com", "Kim <kim@example.com>"})}
		a.Body = p.text()
	case SMS:
		a.Recipient = id([]string{RecipientCustomer, ""})
		a.Addresses = []string{id([]string{"+82 10-1234-5678", "010 1111 2222", "12ab"})}
		a.Body = p.text()
	case Callback, Dooray:
		a.URL = id([]string{"https://hook.example.com/x", "https://hook.dooray.com/services/1", "http://hook.example.com/x"})
		a.Body = p.text()
	default:
		a.Recipient = id([]string{RecipientAssignee, RecipientGroup, RecipientCustomer})
		a.Subject, a.Body = p.text(), p.text()
	}
	return a
}

func slicesConcat(a, b []string) []string { return append(append([]string(nil), a...), b...) }

// fuzzEvents are the fixed events every accepted trigger runs on: updated
// and created events, tickets whose custom values all have one odd shape,
// a ticket with a mix of odd shapes, a ticket without values, and odd
// texts.
func fuzzEvents() []struct {
	in Input
	tk ticket.Ticket
} {
	type ev = struct {
		in Input
		tk ticket.Ticket
	}
	base := baseTicket()
	updated := baseInput()
	updated.Before.Status, updated.Before.Priority, updated.Before.Tags = ticket.StatusNew, ticket.PriorityLow, nil
	updated.Before.CustomerFields["size"] = 1.0
	events := []ev{
		{updated, base},
		{Input{Event: ticket.EventCreated, Now: tNow, Ancestors: ancestors}, base},
	}

	// Every custom value of one shape, after a ticket of good values.
	for _, shape := range []any{"x", 12.0, true, []string{"a", "zz"}} {
		tk := baseTicket()
		for _, fs := range []ticket.Fields{tk.CustomerFields, tk.AgentFields} {
			for k := range fs {
				fs[k] = shape
			}
		}
		events = append(events, ev{baseInput(), tk})
	}

	// A mix of shapes, now and before.
	odd := baseTicket()
	shapes := []any{"x", 12.0, true, []string{"a", "zz"}, []any{"a", 1}, 7, map[string]any{"k": 1}, "", "soon", "2026-13-45"}
	i := 0
	for _, fs := range []ticket.Fields{odd.CustomerFields, odd.AgentFields} {
		for _, k := range slices.Sorted(maps.Keys(fs)) {
			fs[k] = shapes[i%len(shapes)]
			i++
		}
	}
	oddBefore := odd.Clone()
	for _, k := range slices.Sorted(maps.Keys(oddBefore.CustomerFields)) {
		oddBefore.CustomerFields[k] = shapes[(i+3)%len(shapes)]
		i++
	}
	events = append(events,
		ev{Input{Event: ticket.EventUpdated, Before: oddBefore, Now: tNow, Ancestors: ancestors}, odd},
		ev{Input{Event: ticket.EventCreated, Now: tNow}, odd})

	bare := ticket.Ticket{ID: "tk2", Status: ticket.StatusNew}
	weird := baseTicket()
	weird.Title, weird.Content = "\xff\x00*/ \"\\", "ＲＥＦＵＮＤ\u200b\ufeff"+strings.Repeat("가", 300)
	weird.Requester.Email = "ÄÖ@EXAMPLE.COM"
	weird.Tags = []string{"", " spaced ", "UPPER"}
	weird.CustomerFields = ticket.Fields{"note": "a\x00b", "visit": "2026-03-01T09:00:00.123456789+14:00", "size": math.MaxFloat64}
	return append(events,
		ev{Input{Event: ticket.EventCustomerReplied, Before: bare}, bare},
		ev{Input{Event: ticket.EventAgentReplied, Before: base, Now: tNow, Ancestors: func(string) []string { return []string{"", "\x00"} }}, weird})
}

// FuzzCompile draws a trigger from the fuzzer's bytes — targets, operators
// and values mostly from the schema and the pools, sometimes anything —
// and validates it. A refusal must be a validation error. An accepted
// trigger must validate to itself again, compile, compile too against a
// schema from which every custom field is gone, and run on the fixed
// events without an error; the set must fire exactly when the trigger's
// full Source holds.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x00\x02\x03\x04\x05\x06\x07\x08\x09\x0a"))
	f.Add([]byte("status is open; refund \x00\xff 2026-03-01T09:00:00+09:00"))
	f.Add([]byte(strings.Repeat("\x07\x13\x21\x42\x99\xfe", 12)))
	s := testSchema()
	gone := NewSchema(nil, testLanguages, "ko")
	events := fuzzEvents()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &bytePicker{b: data}
		n := New{Name: "fuzz"}
		if p.IntN(16) == 15 {
			n.Name = p.str()
		}
		for k := 1 + p.IntN(3); len(n.All) < k; {
			n.All = append(n.All, fuzzCondition(p, s))
		}
		for k := p.IntN(3); len(n.Any) < k; {
			n.Any = append(n.Any, fuzzCondition(p, s))
		}
		for k := 1 + p.IntN(3); len(n.Actions) < k; {
			n.Actions = append(n.Actions, fuzzAction(p, s))
		}
		v, err := Validate(ctxb, n, s, newResolver())
		if err != nil {
			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("refused without a validation error (accepted, then failed to compile?): %v\n%#v", err, n)
			}
			return
		}
		again, err := Validate(ctxb, v, s, newResolver())
		if err != nil {
			t.Fatalf("the canonical form is refused: %v\n%#v", err, v)
		}
		if !reflect.DeepEqual(v, again) {
			t.Fatalf("validating the canonical form changed it:\n%#v\n%#v", v, again)
		}
		tr := Trigger{ID: "f", Name: v.Name, All: v.All, Any: v.Any, Actions: v.Actions, Active: true}
		quiet := tr
		quiet.ID, quiet.Actions = "q", []Action{quietNote}
		for _, sch := range []*Schema{s, gone} {
			set, err := Compile([]Trigger{tr, quiet}, sch, Options{})
			if err != nil {
				t.Fatalf("an accepted trigger does not compile: %v\n%#v", err, v)
			}
			qset, err := Compile([]Trigger{quiet}, sch, Options{})
			if err != nil {
				t.Fatal(err)
			}
			full, err := expr.Compile(qset.Source(0), expr.Env(evalEnv{}), expr.AsBool())
			if err != nil {
				t.Fatalf("full source: %v\n%s", err, qset.Source(0))
			}
			for i, e := range events {
				tk := e.tk.Clone()
				if _, err := set.Run(ctxb, e.in, &tk, &applier{}); err != nil {
					t.Fatalf("event %d: %v\n%s", i, err, set.Source(0))
				}
				if _, err := set.DryRun(e.in, e.tk); err != nil {
					t.Fatalf("event %d: dry run: %v", i, err)
				}
				rec := &recorder{}
				tk = e.tk.Clone()
				if _, err := qset.Run(ctxb, e.in, &tk, rec); err != nil {
					t.Fatalf("event %d: %v\n%s", i, err, qset.Source(0))
				}
				r, err := expr.Run(full, fullEnv(qset, e.in, &tk))
				if err != nil {
					t.Fatalf("event %d: full source: %v\n%s", i, err, qset.Source(0))
				}
				if want := r.(bool); want != (len(rec.ids) == 1) {
					t.Fatalf("event %d: the set fired %v, its full source says %v\n%s", i, len(rec.ids) == 1, want, qset.Source(0))
				}
			}
		}
	})
}
