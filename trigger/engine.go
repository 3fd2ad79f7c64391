package trigger

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/expr-lang/expr/vm"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
)

// DefaultMaxPasses bounds the passes of one event (TRG-7).
const DefaultMaxPasses = 10

// Options tune a Set.
type Options struct {
	// MaxPasses bounds how often evaluation starts again from the top
	// after a pass that changed the ticket (TRG-7); default
	// DefaultMaxPasses.
	MaxPasses int
}

// Set is the compiled form of one service's active triggers, in order. It
// is immutable and safe for concurrent use; build it once per trigger-set
// version and share it.
type Set struct {
	triggers []Trigger
	progs    []*vm.Program
	sources  []string
	conds    [][]string // per trigger: each condition's source, all then any (dry runs)
	// condProgs are conds compiled, per trigger on its first dry run.
	condOnce  []sync.Once
	condProgs [][]*vm.Program
	condErr   []error
	masks     []uint32 // per trigger: allowed event, status, priority, channel bits
	needs     []uint16
	slots     []slot
	probes    []probe
	matcher   *template.Matcher
	srcTok    [][]wordTokens // by hit source: word index → its tokens
	srcWhole  []bool         // by hit source: whether a condition asks for whole words
	ntok      int
	// unders index the is-under-any lists by tree (treeIntake,
	// treeProcessing): category id → the lists naming it.
	unders    [2]map[string][]int32
	usesTags  bool
	usesLists bool
	// lowerEmail is set when a condition compares the requester's email
	// (case-insensitively: ticketState holds it lower-cased).
	lowerEmail bool
	maxPasses  int
}

// Compile compiles the active triggers of ts, in the order given (the
// order they run in: Repository.List's), against schema s. Inactive
// triggers are left out. A trigger Validate accepted always compiles.
func Compile(ts []Trigger, s *Schema, opt Options) (*Set, error) {
	if opt.MaxPasses <= 0 {
		opt.MaxPasses = DefaultMaxPasses
	}
	set := &Set{maxPasses: opt.MaxPasses}
	c := newCompiler(s)
	for _, t := range ts {
		if !t.Active {
			continue
		}
		c.needs = 0
		src, err := c.source(t, false)
		if err != nil {
			return nil, fmt.Errorf("%w: trigger %s (%q): %v", ErrInvalid, t.ID, t.Name, err)
		}
		run, err := c.source(t, true)
		if err != nil {
			return nil, fmt.Errorf("%w: trigger %s (%q): %v", ErrInvalid, t.ID, t.Name, err)
		}
		var p *vm.Program // nil: the prefilter decides every condition
		if run != "true" {
			p, err = compileSource(run)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: trigger %s (%q): %v", ErrInvalid, t.ID, t.Name, err)
		}
		set.triggers = append(set.triggers, t.Clone())
		set.progs = append(set.progs, p)
		set.sources = append(set.sources, src)
		cs, err := c.conditions("", slices.Concat(t.All, t.Any))
		if err != nil {
			return nil, fmt.Errorf("%w: trigger %s (%q): %v", ErrInvalid, t.ID, t.Name, err)
		}
		set.conds = append(set.conds, cs)
		set.masks = append(set.masks, maskOf(t))
		set.needs = append(set.needs, c.needs)
		for _, cond := range slices.Concat(t.All, t.Any) {
			switch cond.Target {
			case TargetTags:
				set.usesTags = true
			case TargetRequesterEmail:
				set.lowerEmail = set.lowerEmail || !cond.Op.searchesText()
			}
		}
	}
	set.slots, set.probes, set.ntok = c.slots, c.probes, len(c.tokens)
	n := len(set.triggers)
	set.condOnce, set.condProgs, set.condErr = make([]sync.Once, n), make([][]*vm.Program, n), make([]error, n)
	for _, sl := range c.slots {
		if sl.typ == TypeMulti {
			set.usesLists = true
		}
	}
	for id, l := range c.unders {
		if set.unders[l.tree] == nil {
			set.unders[l.tree] = map[string][]int32{}
		}
		for _, cat := range l.ids {
			set.unders[l.tree][cat] = append(set.unders[l.tree][cat], int32(id))
		}
	}
	if len(c.words) > 0 {
		set.matcher = template.NewMatcher(c.words)
		for id, ht := range c.tokens {
			for len(set.srcTok) <= ht.src {
				set.srcTok = append(set.srcTok, nil)
				set.srcWhole = append(set.srcWhole, false)
			}
			if set.srcTok[ht.src] == nil {
				set.srcTok[ht.src] = slices.Repeat([]wordTokens{{-1, -1}}, len(c.words))
			}
			if ht.whole {
				set.srcTok[ht.src][ht.word].whole = int32(id)
				set.srcWhole[ht.src] = true
			} else {
				set.srcTok[ht.src][ht.word].any = int32(id)
			}
		}
	}
	return set, nil
}

// wordTokens are the Hits tokens of one word in one source: any
// occurrence (contains), a whole-word one (contains_words); -1 for none.
type wordTokens struct{ any, whole int32 }

// Len returns the number of compiled (active) triggers.
func (s *Set) Len() int { return len(s.triggers) }

// Source returns the expr source the i-th trigger was compiled from, with
// a comment per condition: what a dry run or a bug report shows.
func (s *Set) Source(i int) string { return s.sources[i] }

// Triggers returns the compiled triggers in run order.
func (s *Set) Triggers() []Trigger {
	out := make([]Trigger, len(s.triggers))
	for i, t := range s.triggers {
		out[i] = t.Clone()
	}
	return out
}

// The prefilter: a trigger's `all` conditions of the form "event / status
// / priority / channel is (not) / (not) in" become a mask of allowed values,
// one bit per value plus one for "none of them"; an evaluation's key has
// one bit per dimension, and a trigger is run only when mask&key == key.
// The mask decides those conditions exactly, so the program a trigger runs
// leaves them out (Source still shows them).
type dim struct {
	shift, width int              // width counts the "none" bit, the last one
	index        func(string) int // 1-based; 0 for none
}

var (
	dimEvent    = dim{0, len(ticket.Events) + 1, func(v string) int { return eventIndex(ticket.EventKind(v)) }}
	dimStatus   = dim{5, len(ticket.Statuses) + 1, func(v string) int { return statusIndex(ticket.Status(v)) }}
	dimPriority = dim{11, len(ticket.Priorities) + 1, func(v string) int { return ticket.Priority(v).Rank() }}
	dimChannel  = dim{16, len(ticket.Channels) + 1, func(v string) int { return channelIndex(ticket.Channel(v)) }}
	dims        = map[string]dim{TargetEvent: dimEvent, TargetStatus: dimStatus, TargetPriority: dimPriority, TargetChannel: dimChannel}
)

func eventIndex(e ticket.EventKind) int { return slices.Index(ticket.Events, e) + 1 }

const allBits = 1<<23 - 1

// bit returns the bit of value index i (1-based, 0 none) in dimension d.
func (d dim) bit(i int) uint32 {
	if i <= 0 || i >= d.width {
		i = d.width
	}
	return 1 << (d.shift + i - 1)
}

// masked reports whether the prefilter decides condition c of an all list.
func masked(c Condition) bool {
	_, ok := dims[c.Target]
	return ok && (c.Op == Is || c.Op == IsNot || c.Op == In || c.Op == NotIn)
}

func maskOf(t Trigger) uint32 {
	m := uint32(allBits)
	for _, c := range t.All {
		if !masked(c) {
			continue
		}
		d := dims[c.Target]
		full := (uint32(1)<<d.width - 1) << d.shift
		var set uint32
		vals, _ := asList(c.Value)
		for _, v := range vals {
			if i := d.index(v); i > 0 {
				set |= d.bit(i)
			}
		}
		if c.Op == IsNot || c.Op == NotIn {
			set = full &^ set
		}
		m &^= full &^ set
	}
	return m
}

// key returns the prefilter key of an evaluation: one bit per dimension.
func key(ev, status, priority, channel int) uint32 {
	return dimEvent.bit(ev) | dimStatus.bit(status) | dimPriority.bit(priority) | dimChannel.bit(channel)
}

// Input is one ticket event.
type Input struct {
	Event ticket.EventKind
	// Before is the ticket as it was before the event; the zero Ticket on
	// created (TRG-4).
	Before ticket.Ticket
	// Now is the time of the event (for the hours-since targets).
	Now time.Time
	// Ancestors returns the ids of a category's ancestors, root first
	// (category.Category.Path); needed only by "is under" conditions. Nil:
	// categories have no ancestors.
	Ancestors func(categoryID string) []string
}

// Applier carries out a fired trigger's actions (TRG-6). It changes t at
// once for ticket-changing actions, so that later triggers see the result
// (TRG-7), and reports whether it did; side effects go to the outbox in
// the event's transaction. An error stops the run and is returned by Run.
type Applier interface {
	Apply(ctx context.Context, tr *Trigger, t *ticket.Ticket) (changed bool, err error)
}

// Outcome is what Run did.
type Outcome struct {
	// Fired is the number of firings (the Applier saw each of them).
	Fired int
	// Passes is the number of passes evaluated.
	Passes int
	// Bounded is set when the last allowed pass still changed the ticket:
	// evaluation stopped at the bound (TRG-7).
	Bounded bool
}

// scratch is the per-run working memory, pooled so a run allocates
// nothing but the boxed evalEnv.
type scratch struct {
	env    evalEnv
	buf    []byte
	fNow   []any
	fPrev  []any
	seen   []uint32
	gen    uint32
	fired  []int // per trigger: the pass it fired in, 0 if none
	vm     vm.VM
	pooled bool
}

var scratchPool = sync.Pool{New: func() any { return &scratch{pooled: true} }}

func (sc *scratch) release() {
	if !sc.pooled {
		return
	}
	clear(sc.fNow)
	clear(sc.fPrev)
	sc.buf = sc.buf[:0]
	scratchPool.Put(sc)
}

// str appends the tokens fill writes (each followed by a NUL) to sc.buf
// after a leading NUL, and returns them as a string that shares sc.buf's
// memory; "" when fill wrote nothing. The string is valid until sc is
// released: it never escapes a run (dry runs use a scratch of their own
// that is never pooled).
func (sc *scratch) str(fill func(b []byte) []byte) string {
	start := len(sc.buf)
	sc.buf = fill(append(sc.buf, 0))
	if len(sc.buf) == start+1 {
		sc.buf = sc.buf[:start]
		return ""
	}
	b := sc.buf[start:len(sc.buf):len(sc.buf)]
	return unsafe.String(&b[0], len(b))
}

// appendToken appends s and the NUL that ends its token.
func appendToken(b []byte, s string) []byte { return append(append(b, s...), 0) }

// Run evaluates the set on one event of ticket t (TRG-7): active triggers
// top to bottom against t as it is and in.Before; a trigger that matches
// fires and applies its actions at once; after a pass that changed the
// ticket evaluation starts again from the top; each trigger fires at most
// once; after MaxPasses passes it stops (Outcome.Bounded when a trigger
// that has not fired would still match).
func (s *Set) Run(ctx context.Context, in Input, t *ticket.Ticket, a Applier) (Outcome, error) {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	return s.run(ctx, in, t, a, sc, nil)
}

// observer sees each evaluation of a dry run.
type observer func(i int, env *evalEnv, t *ticket.Ticket)

func (s *Set) run(ctx context.Context, in Input, t *ticket.Ticket, a Applier, sc *scratch, obs observer) (Outcome, error) {
	var out Outcome
	if len(s.triggers) == 0 {
		return out, nil
	}
	ev := eventIndex(in.Event)
	sc.fired = slices.Grow(sc.fired[:0], len(s.triggers))[:len(s.triggers)]
	clear(sc.fired)
	var before ticketState
	s.state(&before, &in.Before, &sc.fPrev, sc, in, 0)
	for pass := 1; ; pass++ {
		out.Passes = pass
		changed := false
		for start := 0; start < len(s.triggers); {
			boxed, k := s.evaluation(in, t, ev, before, start, sc)
			next := len(s.triggers)
			for i := start; i < len(s.triggers); i++ {
				if sc.fired[i] != 0 || s.masks[i]&k != k {
					continue
				}
				matched, err := s.eval(i, boxed, sc)
				if err != nil {
					return out, err
				}
				if obs != nil {
					obs(i, &sc.env, t)
				}
				if !matched {
					continue
				}
				sc.fired[i] = pass
				out.Fired++
				c, err := a.Apply(ctx, &s.triggers[i], t)
				if err != nil {
					return out, err
				}
				if c {
					// Later triggers see the change at once (TRG-7).
					changed, next = true, i+1
					break
				}
			}
			start = next
		}
		if !changed {
			return out, nil
		}
		if pass == s.maxPasses {
			// Stopped by the bound only if another pass would fire.
			var err error
			out.Bounded, err = s.wouldFire(in, t, ev, before, sc)
			return out, err
		}
	}
}

// evaluation builds the evalEnv of one evaluation of the triggers from start
// on, boxed (the run's one allocation), and its prefilter key.
func (s *Set) evaluation(in Input, t *ticket.Ticket, ev int, before ticketState, start int, sc *scratch) (any, uint32) {
	env := &sc.env
	*env = evalEnv{Before: before}
	k, needs := s.prepare(env, ev, t, start, sc)
	s.fill(env, t, in, needs, sc)
	return *env, k
}

// eval runs trigger i's program on boxed.
func (s *Set) eval(i int, boxed any, sc *scratch) (bool, error) {
	p := s.progs[i]
	if p == nil {
		return true, nil // the prefilter decided every condition
	}
	r, err := sc.vm.Run(p, boxed)
	if err != nil {
		return false, fmt.Errorf("trigger %s (%q): %w", s.triggers[i].ID, s.triggers[i].Name, err)
	}
	matched, _ := r.(bool)
	return matched, nil
}

// wouldFire reports whether a trigger that has not fired matches t now.
func (s *Set) wouldFire(in Input, t *ticket.Ticket, ev int, before ticketState, sc *scratch) (bool, error) {
	boxed, k := s.evaluation(in, t, ev, before, 0, sc)
	for i := range s.triggers {
		if sc.fired[i] != 0 || s.masks[i]&k != k {
			continue
		}
		if m, err := s.eval(i, boxed, sc); m || err != nil {
			return m, err
		}
	}
	return false, nil
}

// prepare computes the prefilter key of t's state and the needs of the
// triggers from start on that can match it, and sets env.Event.
func (s *Set) prepare(env *evalEnv, ev int, t *ticket.Ticket, start int, sc *scratch) (uint32, uint16) {
	env.Event = ev
	k := key(ev, statusIndex(t.Status), t.Priority.Rank(), channelIndex(t.Channel))
	var needs uint16
	for i := start; i < len(s.triggers); i++ {
		if sc.fired[i] == 0 && s.masks[i]&k == k {
			needs |= s.needs[i]
		}
	}
	return k, needs
}

func statusIndex(st ticket.Status) int {
	switch st {
	case ticket.StatusNew:
		return 1
	case ticket.StatusOpen:
		return 2
	case ticket.StatusPending:
		return 3
	case ticket.StatusSolved:
		return 4
	case ticket.StatusClosed:
		return 5
	}
	return 0
}

func channelIndex(c ticket.Channel) int { return slices.Index(ticket.Channels, c) + 1 }

// fill builds env's Now state and the parts the needs ask for.
func (s *Set) fill(env *evalEnv, t *ticket.Ticket, in Input, needs uint16, sc *scratch) {
	s.state(&env.Now, t, &sc.fNow, sc, in, needs)
	if !t.CreatedAt.IsZero() {
		env.HoursSinceCreated = in.Now.Sub(t.CreatedAt).Hours()
	}
	if !t.UpdatedAt.IsZero() {
		env.HoursSinceUpdated = in.Now.Sub(t.UpdatedAt).Hours()
	}
	if needs&needChanged != 0 {
		env.Changed = sc.str(func(b []byte) []byte {
			for _, p := range s.probes {
				if s.changed(p, &env.Now, &env.Before) {
					b = appendToken(b, p.target)
				}
			}
			return b
		})
	}
	if s.matcher != nil && needs >= needHits {
		sc.gen++
		if len(sc.seen) < s.ntok {
			sc.seen = make([]uint32, s.ntok)
		}
		env.Hits = sc.str(func(b []byte) []byte {
			for src, toks := range s.srcTok {
				if toks == nil || needs&(needHits<<min(src, 7)) == 0 {
					continue
				}
				text := s.sourceText(src, t, &env.Now)
				hit := func(id int32) {
					if id >= 0 && sc.seen[id] != sc.gen {
						sc.seen[id] = sc.gen
						b = append(b, 'w')
						b = strconv.AppendInt(b, int64(id), 10)
						b = append(b, 0)
					}
				}
				if !s.srcWhole[src] {
					s.matcher.Scan(text, func(w int) { hit(toks[w].any) })
					continue
				}
				s.matcher.ScanWords(text, func(w int, whole bool) {
					hit(toks[w].any)
					if whole {
						hit(toks[w].whole)
					}
				})
			}
			return b
		})
	}
}

func (s *Set) sourceText(src int, t *ticket.Ticket, st *ticketState) string {
	switch src {
	case srcTitle:
		return t.Title
	case srcContent:
		return t.Content
	case srcEmail:
		return t.Requester.Email
	}
	v, _ := st.F[src-srcFields].(string)
	return v
}

// state fills st from ticket t; f is the slot slice to use.
func (s *Set) state(st *ticketState, t *ticket.Ticket, f *[]any, sc *scratch, in Input, needs uint16) {
	if t.ID == "" && t.Status == "" {
		*f = slices.Grow((*f)[:0], len(s.slots))[:len(s.slots)]
		clear(*f)
		st.F = *f
		return // the zero ticket: before a created event
	}
	st.Status = statusIndex(t.Status)
	st.Priority = t.Priority.Rank()
	st.Channel = channelIndex(t.Channel)
	st.Language = t.Language
	st.IntakeCategory, st.ProcessingCategory = t.IntakeCategoryID, t.ProcessingCategoryID
	st.Assignee, st.Group = t.AssigneeID, t.GroupID
	st.RequesterEmail = t.Requester.Email
	if s.lowerEmail {
		st.RequesterEmail = strings.ToLower(st.RequesterEmail)
	}
	st.Title, st.Content = t.Title, t.Content
	if needs&needIntakePath != 0 && t.IntakeCategoryID != "" {
		st.IntakePath, st.IntakeUnder = s.categoryLine(treeIntake, t.IntakeCategoryID, in.Ancestors, sc)
	}
	if needs&needProcessingPath != 0 && t.ProcessingCategoryID != "" {
		st.ProcessingPath, st.ProcessingUnder = s.categoryLine(treeProcessing, t.ProcessingCategoryID, in.Ancestors, sc)
	}
	if s.usesTags && len(t.Tags) > 0 {
		st.Tags = sc.str(func(b []byte) []byte {
			for _, tg := range t.Tags {
				b = appendToken(b, tg)
			}
			return b
		})
	}
	*f = slices.Grow((*f)[:0], len(s.slots))[:len(s.slots)]
	for i, sl := range s.slots {
		vals := t.CustomerFields
		if sl.agent {
			vals = t.AgentFields
		}
		(*f)[i] = slotValue(sl.typ, vals[sl.key])
	}
	st.F = *f
	if s.usesLists {
		st.Lists = sc.str(func(b []byte) []byte {
			for i, sl := range s.slots {
				l, _ := (*f)[i].([]string)
				if sl.typ != TypeMulti {
					continue
				}
				for _, v := range l {
					b = strconv.AppendInt(b, int64(i), 10)
					b = append(b, '=')
					b = append(b, v...)
					b = append(b, 0)
				}
			}
			return b
		})
	}
}

// categoryLine returns the Path and Under strings of category id of tree:
// a token for id and each of its ancestors, and a token for each
// is-under-any list that names one of them (a list named twice is there
// twice). The work grows with the depth and the lists found, not with the
// number of lists.
func (s *Set) categoryLine(tree int, id string, ancestors func(string) []string, sc *scratch) (path, under string) {
	var up []string
	if ancestors != nil {
		up = ancestors(id)
	}
	path = sc.str(func(b []byte) []byte {
		b = appendToken(b, id)
		for _, a := range up {
			b = appendToken(b, a)
		}
		return b
	})
	if lists := s.unders[tree]; len(lists) > 0 {
		under = sc.str(func(b []byte) []byte {
			for i := -1; i < len(up); i++ {
				c := id
				if i >= 0 {
					c = up[i]
				}
				for _, l := range lists[c] {
					b = strconv.AppendInt(b, int64(l), 10)
					b = append(b, 0)
				}
			}
			return b
		})
	}
	return path, under
}

// slotValue returns v as a slot of type typ holds it: nil when absent,
// blank or of another shape.
func slotValue(typ ValueType, v any) any {
	if field.Blank(v) {
		return nil
	}
	switch typ {
	case TypeNumber:
		if _, ok := v.(float64); ok {
			return v
		}
	case TypeCheckbox:
		if _, ok := v.(bool); ok {
			return v
		}
	case TypeMulti:
		if _, ok := v.([]string); ok {
			return v
		}
	case typeAny:
		if _, ok := ticket.NormalizeValue(v); ok {
			return v
		}
	case TypeDate:
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return v
			}
		}
	case TypeDateTime:
		if s, ok := v.(string); ok {
			if sec, ok := dateTimeSeconds(s); ok {
				return sec // the one value a run boxes (not ticket data as stored)
			}
		}
	default:
		if _, ok := v.(string); ok {
			return v
		}
	}
	return nil
}

// dateTimeSeconds returns an RFC 3339 date-time as seconds since 1970.
func dateTimeSeconds(s string) (float64, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, false
	}
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true
}

// changed reports whether target p differs between now and before.
func (s *Set) changed(p probe, now, before *ticketState) bool {
	if p.slot >= 0 {
		return !ticket.SameValue(now.F[p.slot], before.F[p.slot])
	}
	switch p.target {
	case TargetStatus:
		return now.Status != before.Status
	case TargetPriority:
		return now.Priority != before.Priority
	case TargetChannel:
		return now.Channel != before.Channel
	case TargetIntakeCategory:
		return now.IntakeCategory != before.IntakeCategory
	case TargetProcessingCategory:
		return now.ProcessingCategory != before.ProcessingCategory
	case TargetAssignee:
		return now.Assignee != before.Assignee
	case TargetGroup:
		return now.Group != before.Group
	case TargetRequesterEmail:
		return now.RequesterEmail != before.RequesterEmail
	case TargetTitle:
		return now.Title != before.Title
	case TargetContent:
		return now.Content != before.Content
	case TargetTags:
		return now.Tags != before.Tags
	case TargetLanguage:
		return now.Language != before.Language
	}
	return false
}
