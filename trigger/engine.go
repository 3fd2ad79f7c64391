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
//
// Conditions are compiled once per distinct condition, not per trigger:
// triggers that share a condition share its program, and a run evaluates
// it at most once per evaluation (the answers are memoized in the run's
// scratch). A trigger is a few offsets into flat arrays of condition
// numbers; the index (see index) picks the triggers an evaluation can fire.
type Set struct {
	triggers []Trigger
	// conds are the distinct conditions' expr sources (without comment)
	// and progs their programs, nil for those only the index decides;
	// dryProgs has them all, compiled on the first dry run (dryOnce).
	conds []string
	progs []*vm.Program
	// hitOf is, per condition, 1 + the index in hitConds of its answer
	// from the hits a run finds (see compiler.hitTest), 0 when its
	// program answers it.
	hitOf    []int32
	hitConds []hitCond
	hitIDs   []int32
	dryOnce  sync.Once
	dryProgs []*vm.Program
	dryErr   error
	// full holds per trigger the numbers of its conditions, all then any,
	// from full[fullOff[i]] on; run the ones a run evaluates (the all
	// conditions the index does not decide, then every any condition),
	// from runs[runOff[i]] on, the first runAll[i] of them all conditions.
	full, fullOff []int32
	runs, runOff  []int32
	runAll        []uint16
	needs         []uint16
	ix            index
	slots         []slot
	probes        []probe
	matcher       *template.Matcher
	srcTok        [][]wordTokens // by hit source: word index → its tokens
	srcWhole      []bool         // by hit source: whether a condition asks for whole words
	ntok          int
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
	condOf := map[string]int32{}
	var condNeeds []uint16
	var atRun []bool   // by condition: a run evaluates it
	var firstOf []int  // by condition: the first trigger that has it
	var decided []bool // by all condition of the trigger at hand
	var x indexer
	for _, t := range ts {
		if !t.Active {
			continue
		}
		i := len(set.triggers)
		set.fullOff = append(set.fullOff, int32(len(set.full)))
		for j := range len(t.All) + len(t.Any) {
			list, k, cond := "all", j, Condition{}
			if j < len(t.All) {
				cond = t.All[j]
			} else {
				list, k, cond = "any", j-len(t.All), t.Any[j-len(t.All)]
			}
			c.needs = 0
			body, err := c.body(cond)
			if err != nil {
				return nil, fmt.Errorf("%w: trigger %s (%q): %s[%d]: %v", ErrInvalid, t.ID, t.Name, list, k, err)
			}
			id, ok := condOf[body]
			if !ok {
				id = int32(len(set.conds))
				condOf[body] = id
				set.conds = append(set.conds, body)
				condNeeds = append(condNeeds, c.needs)
				set.hitOf = append(set.hitOf, 0)
				if hits, neg, ok := c.hitTest(cond); ok {
					set.hitConds = append(set.hitConds, hitCond{off: int32(len(set.hitIDs)), n: int32(len(hits)), negated: neg})
					set.hitIDs = append(set.hitIDs, hits...)
					set.hitOf[id] = int32(len(set.hitConds))
				}
				atRun = append(atRun, false)
				firstOf = append(firstOf, i)
			}
			set.full = append(set.full, id)
			switch cond.Target {
			case TargetTags:
				set.usesTags = true
			case TargetRequesterEmail:
				set.lowerEmail = set.lowerEmail || !cond.Op.searchesText()
			}
		}
		decided = slices.Grow(decided[:0], len(t.All))[:len(t.All)]
		clear(decided)
		x.add(i, t, decided)
		ids := set.full[set.fullOff[i]:]
		set.runOff = append(set.runOff, int32(len(set.runs)))
		var needs uint16
		nAll := 0
		for j, id := range ids {
			if j < len(t.All) && decided[j] {
				continue
			}
			if j < len(t.All) {
				nAll++
			}
			set.runs = append(set.runs, id)
			atRun[id] = true
			needs |= condNeeds[id]
		}
		set.runAll = append(set.runAll, uint16(nAll))
		set.needs = append(set.needs, needs)
		set.triggers = append(set.triggers, t.Clone())
	}
	n := len(set.triggers)
	set.fullOff = append(set.fullOff, int32(len(set.full)))
	set.runOff = append(set.runOff, int32(len(set.runs)))
	set.full, set.runs = slices.Clip(set.full), slices.Clip(set.runs)
	set.progs = make([]*vm.Program, len(set.conds))
	for id, src := range set.conds {
		if !atRun[id] || set.hitOf[id] != 0 {
			continue
		}
		p, err := compileSource(src)
		if err != nil {
			t := set.triggers[firstOf[id]]
			return nil, fmt.Errorf("%w: trigger %s (%q): %v", ErrInvalid, t.ID, t.Name, err)
		}
		set.progs[id] = p
	}
	set.ix = x.build(n)
	set.slots, set.probes, set.ntok = c.slots, c.probes, len(c.tokens)
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

// program returns the program of condition id, compiling on first use the
// conditions only the index decides (dry runs evaluate every condition).
func (s *Set) program(id int32) (*vm.Program, error) {
	if p := s.progs[id]; p != nil {
		return p, nil
	}
	s.dryOnce.Do(func() {
		progs := slices.Clone(s.progs)
		for id, p := range progs {
			if p == nil {
				if progs[id], s.dryErr = compileSource(s.conds[id]); s.dryErr != nil {
					return
				}
			}
		}
		s.dryProgs = progs
	})
	if s.dryErr != nil {
		return nil, s.dryErr
	}
	return s.dryProgs[id], nil
}

// wordTokens are the Hits tokens of one word in one source: any
// occurrence (contains), a whole-word one (contains_words); -1 for none.
type wordTokens struct{ any, whole int32 }

// Len returns the number of compiled (active) triggers.
func (s *Set) Len() int { return len(s.triggers) }

// Source returns the expr source the i-th trigger's conditions compile
// to, with a comment per condition: what a dry run or a bug report shows.
// (A run evaluates each condition's program on its own; see Set.)
func (s *Set) Source(i int) string {
	t := &s.triggers[i]
	ids := s.full[s.fullOff[i]:s.fullOff[i+1]]
	part := func(j int, c Condition) string {
		return "(" + s.conds[ids[j]] + ") /* " + describe(c) + " */"
	}
	all := make([]string, len(t.All))
	for j, c := range t.All {
		all[j] = part(j, c)
	}
	anys := make([]string, len(t.Any))
	for j, c := range t.Any {
		anys[j] = part(len(t.All)+j, c)
	}
	return joinSource(all, anys, len(t.All) > 0)
}

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
// one bit per dimension, and a trigger is a candidate only when
// mask&key == key (the index keeps the masks as a bitset per bit). The
// mask decides those conditions exactly, so a run leaves them out (Source
// still shows them).
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

const allBits = 1<<allBitsCount - 1

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
	env   evalEnv
	buf   []byte
	fNow  []any
	fPrev []any
	seen  []uint32
	gen   uint32
	fired []int // per trigger: the pass it fired in, 0 if none
	// firedBits has a bit per trigger that fired; cand and tmp are the
	// index's working sets (see Set.candidates).
	firedBits, cand, tmp []uint64
	// memo holds per condition the answer of the evaluation numbered
	// evalGen: evalGen<<1 | held (see Set.holds).
	memo    []uint32
	evalGen uint32
	// up caches per category tree the ancestors of the evaluation's
	// category (upSet: looked up).
	up     [2][]string
	upSet  [2]bool
	vm     vm.VM
	pooled bool
	// dry is set for dry runs: every evaluation builds all of evalEnv, so
	// that each condition can be shown, also those the index decided.
	dry bool
}

var scratchPool = sync.Pool{New: func() any { return &scratch{pooled: true} }}

func (sc *scratch) release() {
	if !sc.pooled {
		return
	}
	clear(sc.fNow)
	clear(sc.fPrev)
	sc.buf = sc.buf[:0]
	sc.up = [2][]string{}
	scratchPool.Put(sc)
}

// newEvaluation starts an evaluation: memoized answers and looked-up
// ancestors belong to the one before.
func (sc *scratch) newEvaluation(nconds int) {
	sc.upSet = [2]bool{}
	sc.up = [2][]string{}
	if len(sc.memo) < nconds {
		sc.memo = make([]uint32, nconds)
		sc.evalGen = 0
	}
	sc.evalGen++
	if sc.evalGen >= 1<<31 {
		clear(sc.memo)
		sc.evalGen = 1
	}
}

// ancestors returns the ancestors of category id of tree (in.Ancestors),
// once per evaluation.
func (sc *scratch) ancestors(tree int, id string, in Input) []string {
	if !sc.upSet[tree] {
		sc.upSet[tree] = true
		sc.up[tree] = nil
		if in.Ancestors != nil && id != "" {
			sc.up[tree] = in.Ancestors(id)
		}
	}
	return sc.up[tree]
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
	n := len(s.triggers)
	if n == 0 {
		return out, nil
	}
	ev := eventIndex(in.Event)
	sc.fired = slices.Grow(sc.fired[:0], n)[:n]
	clear(sc.fired)
	clear(growWords(&sc.firedBits, s.ix.words))
	var before ticketState
	s.state(&before, &in.Before, &sc.fPrev, sc, in, 0)
	for pass := 1; ; pass++ {
		out.Passes = pass
		changed := false
		for start := 0; start < n; {
			boxed, cand := s.evaluation(in, t, ev, before, start, sc)
			next := n
			// The candidates in run order (TRG-1): the index left out
			// the triggers before start, those that fired, and those
			// whose indexed conditions fail.
			for i := nextBit(cand, start); i >= 0; i = nextBit(cand, i+1) {
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
				sc.firedBits[i>>6] |= 1 << (i & 63)
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
// on, boxed (the run's one allocation), and its candidates (see index).
func (s *Set) evaluation(in Input, t *ticket.Ticket, ev int, before ticketState, start int, sc *scratch) (any, []uint64) {
	sc.newEvaluation(len(s.conds))
	env := &sc.env
	*env = evalEnv{Before: before}
	cand, needs := s.prepare(env, ev, t, start, in, sc)
	s.fill(env, t, in, needs, sc)
	return *env, cand
}

// eval reports whether trigger i holds on boxed: its all conditions the
// index left, then (when it has any) its any conditions, stopping at the
// first that decides (TRG-2).
func (s *Set) eval(i int, boxed any, sc *scratch) (bool, error) {
	run := s.runs[s.runOff[i]:s.runOff[i+1]]
	if len(run) == 0 {
		// The index decided every condition; a trigger without any
		// never holds.
		return s.fullOff[i+1] > s.fullOff[i], nil
	}
	nAll := int(s.runAll[i])
	for _, id := range run[:nAll] {
		ok, err := s.holds(id, boxed, sc)
		if err != nil || !ok {
			return false, s.evalErr(i, err)
		}
	}
	if nAll == len(run) {
		return true, nil
	}
	for _, id := range run[nAll:] {
		ok, err := s.holds(id, boxed, sc)
		if err != nil || ok {
			return ok && err == nil, s.evalErr(i, err)
		}
	}
	return false, nil
}

func (s *Set) evalErr(i int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("trigger %s (%q): %w", s.triggers[i].ID, s.triggers[i].Name, err)
}

// hitCond is a condition a run answers from the hits it found: any of
// the n Hits tokens from hitIDs[off] (none of them, negated).
type hitCond struct {
	off, n  int32
	negated bool
}

// holds runs condition id on boxed, once per evaluation; a hit condition
// is answered from the hits fill found (sc.seen), as its program would.
func (s *Set) holds(id int32, boxed any, sc *scratch) (bool, error) {
	if h := s.hitOf[id]; h != 0 {
		hc := s.hitConds[h-1]
		for _, tok := range s.hitIDs[hc.off : hc.off+hc.n] {
			if sc.seen[tok] == sc.gen {
				return !hc.negated, nil
			}
		}
		return hc.negated, nil
	}
	if m := sc.memo[id]; m>>1 == sc.evalGen {
		return m&1 == 1, nil
	}
	r, err := sc.vm.Run(s.progs[id], boxed)
	if err != nil {
		return false, err
	}
	b, _ := r.(bool)
	m := sc.evalGen << 1
	if b {
		m |= 1
	}
	sc.memo[id] = m
	return b, nil
}

// wouldFire reports whether a trigger that has not fired matches t now.
func (s *Set) wouldFire(in Input, t *ticket.Ticket, ev int, before ticketState, sc *scratch) (bool, error) {
	boxed, cand := s.evaluation(in, t, ev, before, 0, sc)
	for i := nextBit(cand, 0); i >= 0; i = nextBit(cand, i+1) {
		if m, err := s.eval(i, boxed, sc); m || err != nil {
			return m, err
		}
	}
	return false, nil
}

// prepare computes the candidates among the triggers from start on for
// t's state (see index) and their needs, and sets env.Event.
func (s *Set) prepare(env *evalEnv, ev int, t *ticket.Ticket, start int, in Input, sc *scratch) ([]uint64, uint16) {
	env.Event = ev
	k := key(ev, statusIndex(t.Status), t.Priority.Rank(), channelIndex(t.Channel))
	vals := [numIDs]string{t.IntakeCategoryID, t.ProcessingCategoryID, t.GroupID, t.AssigneeID}
	cand := s.candidates(k, &vals, start, in, sc)
	var needs uint16
	for i := nextBit(cand, start); i >= 0; i = nextBit(cand, i+1) {
		needs |= s.needs[i]
	}
	if sc.dry {
		needs = ^uint16(0)
	}
	return cand, needs
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
		st.IntakePath, st.IntakeUnder = s.categoryLine(treeIntake, t.IntakeCategoryID, sc.ancestors(treeIntake, t.IntakeCategoryID, in), sc)
	}
	if needs&needProcessingPath != 0 && t.ProcessingCategoryID != "" {
		st.ProcessingPath, st.ProcessingUnder = s.categoryLine(treeProcessing, t.ProcessingCategoryID, sc.ancestors(treeProcessing, t.ProcessingCategoryID, in), sc)
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
func (s *Set) categoryLine(tree int, id string, up []string, sc *scratch) (path, under string) {
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
