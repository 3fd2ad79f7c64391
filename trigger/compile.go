package trigger

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
)

// evalEnv is what every compiled condition program runs over: one value per
// evaluation, built once and boxed once, read by the programs without
// allocating (a struct value's fields are loaded in place). Enumerations
// are small integers; sets are token strings ("\x00a\x00b\x00") tested with
// the contains operator, so no program walks a list.
type evalEnv struct {
	// Event is the event's 1-based index in ticket.Events.
	Event int
	// Now is the ticket as it is; Before as it was before the event (the
	// zero ticketState on created, so every value counts as changed, TRG-4).
	Now, Before ticketState
	// Changed holds a token per target (of those the set tests for change)
	// whose value differs between Before and Now.
	Changed string
	// Hits holds a token per (text, word, whole) triple of contains and
	// contains_words conditions whose word occurs in the text (case-,
	// width- and NFC-insensitive), as whole words when whole.
	Hits string
	// Hours since the ticket was created and last updated.
	HoursSinceCreated, HoursSinceUpdated float64
}

// ticketState is one version of a ticket as programs see it.
type ticketState struct {
	// Status, Priority and Channel are 1-based indexes in
	// ticket.Statuses, ticket.Priorities (so also the rank) and
	// ticket.Channels; 0 for none.
	Status, Priority, Channel int
	Language                  string
	// IntakeCategory and ProcessingCategory are category ids; the Path
	// strings hold a token for the category and each of its ancestors;
	// the Under strings a token per is-under-any list (its number) that
	// names the category or one of its ancestors.
	IntakeCategory, ProcessingCategory string
	IntakePath, ProcessingPath         string
	IntakeUnder, ProcessingUnder       string
	Assignee, Group                    string
	// RequesterEmail is lower-cased.
	RequesterEmail string
	Title, Content string
	// Tags holds a token per tag.
	Tags string
	// Lists holds a token "slot=value" per value of each multi-select
	// field slot.
	Lists string
	// F holds the custom-field values by slot: nil when absent or of a
	// shape the slot does not take, so no comparison can fail at run time.
	// Date-times are seconds since 1970 (float64).
	F []any
}

// token is how set members appear in evalEnv strings.
func token(s string) string { return "\x00" + s + "\x00" }

// Needs of a trigger: the parts of evalEnv it reads that cost work to build.
const (
	needChanged uint16 = 1 << iota
	needIntakePath
	needProcessingPath
	needHits // the first hit source; source s is needHits << s, for s < 8
)

// Sources of contains words: the texts Hits is built from.
const (
	srcTitle = iota
	srcContent
	srcEmail
	srcFields // custom text fields: srcFields + slot
)

// The category trees, as indexes of Set.unders.
const (
	treeIntake = iota
	treeProcessing
)

// underList is the list of categories of an is-under-any condition (one
// per distinct list and tree).
type underList struct {
	tree int
	ids  []string
}

// slot is one custom field the set reads.
type slot struct {
	target string
	key    string
	agent  bool
	typ    ValueType
}

// probe is a target tested for change; slot is its typeAny slot for a
// custom field, -1 for the ticket's own targets.
type probe struct {
	target string
	slot   int
}

// compiler turns triggers into expr source and records what they need.
type compiler struct {
	s       *Schema
	slots   []slot
	slotOf  map[string]int
	probes  []probe // targets tested for change, in token order
	probeOf map[string]bool
	words   []string       // distinct folded words
	wordOf  map[string]int // folded word → index
	tokens  []hitToken     // by token id
	tokenOf map[hitToken]int
	unders  []underList    // is-under-any lists, by number
	underOf map[string]int // tree and sorted ids → number
	needs   uint16         // of the trigger being compiled
	// hits are the Hits tokens of the condition at hand (body); hitsOnly
	// is false when it tests anything else as well.
	hits     []int32
	hitsOnly bool
}

// hitToken is one token of evalEnv.Hits: word occurs in source src, as
// whole words when whole.
type hitToken struct {
	src, word int
	whole     bool
}

func newCompiler(s *Schema) *compiler {
	return &compiler{s: s, slotOf: map[string]int{}, probeOf: map[string]bool{}, wordOf: map[string]int{}, tokenOf: map[hitToken]int{}, underOf: map[string]int{}}
}

// target resolves a condition's target. A custom field whose definition
// is gone (a trigger saved before its field was deleted), or whose key now
// names a field of another type, is typed by the condition itself (see
// guessTarget), so every stored trigger compiles and none can fail at run
// time: slots are per (field, type) and hold only values of their type.
func (c *compiler) target(cond Condition) (Target, error) {
	t, ok := c.s.Target(cond.Target)
	if ok && (t.Field == nil || fits(t, cond)) {
		return t, nil
	}
	if _, _, ok := SplitField(cond.Target); ok {
		return guessTarget(cond.Target, cond.Op, cond.Value), nil
	}
	return Target{}, fmt.Errorf("unknown target %q", cond.Target)
}

// fits reports whether cond's value has the shape custom-field target t
// takes under cond.Op.
func fits(t Target, cond Condition) bool {
	switch cond.Op {
	case Changed, NotChanged, Present, Absent:
		return true
	case ContainsWords, NotContainsWords:
		if t.Type != TypeText {
			return false // read the field as a text
		}
	}
	switch t.Type {
	case TypeNumber:
		_, ok := cond.Value.(float64)
		return ok
	case TypeCheckbox:
		_, ok := cond.Value.(bool)
		return ok
	case TypeDateTime:
		s, ok := cond.Value.(string)
		_, err := time.Parse(time.RFC3339, s)
		return ok && err == nil
	case TypeDate:
		s, ok := cond.Value.(string)
		_, err := time.Parse(time.DateOnly, s)
		return ok && err == nil
	}
	switch cond.Value.(type) {
	case string, []string:
		return true
	}
	return false
}

// source returns the expr source of one trigger's conditions (TRG-2):
// every all condition, and at least one any condition when there are any.
func (c *compiler) source(t Trigger) (string, error) {
	all, err := c.conditions("all", t.All)
	if err != nil {
		return "", err
	}
	anys, err := c.conditions("any", t.Any)
	if err != nil {
		return "", err
	}
	return joinSource(all, anys, len(t.All) > 0), nil
}

// joinSource joins the sources of a trigger's all and any conditions: with
// neither, the trigger holds when it had all conditions (all decided
// elsewhere), and never when it had no conditions at all.
func joinSource(all, anys []string, hadAll bool) string {
	switch {
	case len(anys) == 0 && len(all) == 0:
		return strconv.FormatBool(hadAll)
	case len(anys) == 0:
		return strings.Join(all, " &&\n")
	case len(all) == 0:
		return strings.Join(anys, " ||\n")
	}
	return strings.Join(all, " &&\n") + " &&\n(" + strings.Join(anys, " ||\n ") + ")"
}

func (c *compiler) conditions(list string, cs []Condition) ([]string, error) {
	out := make([]string, len(cs))
	for i, cond := range cs {
		src, err := c.condition(cond)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", list, i, err)
		}
		out[i] = src
	}
	return out, nil
}

// condition returns the expr source of one condition, parenthesized, with
// a comment saying what it tests.
func (c *compiler) condition(cond Condition) (string, error) {
	body, err := c.body(cond)
	if err != nil {
		return "", err
	}
	return "(" + body + ") /* " + describe(cond) + " */", nil
}

// body returns the expr source of one condition, without comment: equal
// conditions have equal bodies (a Set compiles each body once).
func (c *compiler) body(cond Condition) (string, error) {
	c.hits, c.hitsOnly = c.hits[:0], true
	t, err := c.target(cond)
	if err != nil {
		return "", err
	}
	return c.test(t, cond)
}

// hitTest returns the Hits tokens the condition body just compiled tests,
// and whether it holds when none of them is there (the not operators):
// ok when that is all it tests (a contains or contains_words on a text),
// so that a run can answer it from the hits it found without running its
// program.
func (c *compiler) hitTest(cond Condition) (ids []int32, negated, ok bool) {
	switch cond.Op {
	case Contains, ContainsWords:
	case NotContains, NotContainsWords:
		negated = true
	default:
		return nil, false, false
	}
	if !c.hitsOnly || len(c.hits) == 0 {
		return nil, false, false
	}
	return c.hits, negated, true
}

// describe renders a condition for a comment: no "*/" can end it early.
func describe(cond Condition) string {
	s := cond.Target + " " + string(cond.Op)
	if cond.Value != nil {
		s += " " + ticket.FormatValue(cond.Value)
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "*/", "* /"), "\n", " ")
}

// lit returns v as an expr literal.
func lit(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	}
	return "nil"
}

// field returns the env expression of target t's value in state st
// ("Now" or "Before"), registering a slot for a custom field.
func (c *compiler) field(t Target, st string) string {
	switch t.Name {
	case TargetEvent:
		return "Event"
	case TargetStatus:
		return st + ".Status"
	case TargetPriority:
		return st + ".Priority"
	case TargetChannel:
		return st + ".Channel"
	case TargetIntakeCategory:
		return st + ".IntakeCategory"
	case TargetProcessingCategory:
		return st + ".ProcessingCategory"
	case TargetAssignee:
		return st + ".Assignee"
	case TargetGroup:
		return st + ".Group"
	case TargetRequesterEmail:
		return st + ".RequesterEmail"
	case TargetTitle:
		return st + ".Title"
	case TargetTags:
		return st + ".Tags"
	case TargetLanguage:
		return st + ".Language"
	case TargetHoursSinceCreated:
		return "HoursSinceCreated"
	case TargetHoursSinceUpdated:
		return "HoursSinceUpdated"
	}
	return fmt.Sprintf("%s.F[%d]", st, c.slot(t))
}

// slot returns the slot of custom-field target t: one per field and type.
func (c *compiler) slot(t Target) int {
	k := t.Name + "\x00" + string(t.Type)
	if i, ok := c.slotOf[k]; ok {
		return i
	}
	kind, key, _ := SplitField(t.Name)
	c.slots = append(c.slots, slot{target: t.Name, key: key, agent: kind == field.KindAgent, typ: t.Type})
	c.slotOf[k] = len(c.slots) - 1
	return len(c.slots) - 1
}

// enum returns the env value of an enumerated target's value.
func enum(t Target, v string) string {
	switch t.Type {
	case TypeEvent:
		return strconv.Itoa(slices.Index(ticket.Events, ticket.EventKind(v)) + 1)
	case TypeStatus:
		return strconv.Itoa(slices.Index(ticket.Statuses, ticket.Status(v)) + 1)
	case TypePriority:
		return strconv.Itoa(ticket.Priority(v).Rank())
	case TypeChannel:
		return strconv.Itoa(slices.Index(ticket.Channels, ticket.Channel(v)) + 1)
	case typeEmail:
		return strconv.Quote(strings.ToLower(v))
	}
	return strconv.Quote(v)
}

// typeEmail types the requester's email inside the compiler: it compares
// case-insensitively, so its values are lower-cased like evalEnv's.
const typeEmail ValueType = "requester_email"

// value returns the literal a target's value v compares with.
func (c *compiler) value(t Target, v any) string {
	if t.Name == TargetRequesterEmail {
		t.Type = typeEmail
	}
	switch t.Type {
	case TypeEvent, TypeStatus, TypePriority, TypeChannel, typeEmail:
		s, _ := v.(string)
		return enum(t, s)
	case TypeDateTime:
		s, _ := v.(string)
		if sec, ok := dateTimeSeconds(s); ok {
			return lit(sec)
		}
		return "nil"
	}
	return lit(v)
}

// test returns the expression of one condition.
func (c *compiler) test(t Target, cond Condition) (string, error) {
	now := c.field(t, "Now")
	changed := func() string {
		if !c.probeOf[t.Name] {
			c.probeOf[t.Name] = true
			p := probe{target: t.Name, slot: -1}
			if _, _, custom := SplitField(t.Name); custom {
				// Changes compare the values as the field's type reads
				// them (date-times as instants); a field whose definition
				// is gone compares the stored values, whatever their shape.
				typ := typeAny
				if c.s.has(t.Name) {
					typ = t.Type
				}
				p.slot = c.slot(Target{Name: t.Name, Type: typ})
			}
			c.probes = append(c.probes, p)
		}
		c.needs |= needChanged
		return "Changed contains " + strconv.Quote(token(t.Name))
	}
	guard := func(expr string, x string) string {
		if strings.Contains(x, ".F[") {
			return x + " != nil && " + expr
		}
		return expr
	}
	switch cond.Op {
	case Is, IsNot:
		var e string
		if t.Type == TypeCheckbox {
			e = now + " == " + lit(cond.Value)
			if cond.Value == false {
				e = now + " != true"
			}
		} else {
			e = now + " == " + c.value(t, cond.Value)
		}
		if cond.Op == IsNot {
			return "not (" + e + ")", nil
		}
		return e, nil
	case In, NotIn:
		l, _ := cond.Value.([]string)
		vals := make([]string, len(l))
		for i, v := range l {
			vals[i] = c.value(t, v)
		}
		e := now + " in [" + strings.Join(vals, ", ") + "]"
		if cond.Op == NotIn {
			return "not (" + e + ")", nil
		}
		return e, nil
	case GreaterThan, LessThan:
		op := " > "
		if cond.Op == LessThan {
			op = " < "
		}
		return guard(now+op+c.value(t, cond.Value), now), nil
	case Present, Absent:
		var e string
		switch {
		case t.Type == TypeCategory || t.Type == TypeAgent || t.Type == TypeGroup || t.Type == TypeTags ||
			t.Name == TargetRequesterEmail || t.Name == TargetTitle:
			e = now + ` != ""`
		default:
			e = now + " != nil"
		}
		if cond.Op == Absent {
			return "not (" + e + ")", nil
		}
		return e, nil
	case Changed:
		return changed(), nil
	case NotChanged:
		return "not (" + changed() + ")", nil
	case ChangedTo, ChangedFrom:
		x := now
		if cond.Op == ChangedFrom {
			x = c.field(t, "Before")
		}
		if t.Type == TypeCheckbox && cond.Value == false {
			return changed() + " && " + x + " != true", nil // no value is false
		}
		return changed() + " && " + x + " == " + c.value(t, cond.Value), nil
	case IsUnder, IsNotUnder, IsUnderAny, IsNotUnderAny:
		st, tree := "Now.Intake", treeIntake
		if t.Name == TargetProcessingCategory {
			st, tree = "Now.Processing", treeProcessing
			c.needs |= needProcessingPath
		} else {
			c.needs |= needIntakePath
		}
		var e string
		if cond.Op == IsUnder || cond.Op == IsNotUnder {
			s, _ := cond.Value.(string)
			e = st + "Path contains " + strconv.Quote(token(s))
		} else {
			// One token for the whole list, which the run writes when the
			// category or an ancestor is listed (Set.categoryLine): a
			// long list costs the condition nothing more.
			l, _ := cond.Value.([]string)
			e = st + "Under contains " + strconv.Quote(token(strconv.Itoa(c.under(tree, l))))
		}
		if cond.Op == IsNotUnder || cond.Op == IsNotUnderAny {
			return "not (" + e + ")", nil
		}
		return e, nil
	case Contains, NotContains, ContainsWords, NotContainsWords:
		l, ok := cond.Value.([]string)
		if !ok {
			s, _ := cond.Value.(string)
			l = []string{s}
		}
		whole := cond.Op == ContainsWords || cond.Op == NotContainsWords
		var alts []string
		for _, v := range l {
			if t.guessed && !whole {
				// The field is gone: it may have been a multi select or a
				// text; test both ways.
				alts = append(alts, c.contains(Target{Name: t.Name, Type: TypeMulti}, now, v, false))
				t.Type = TypeText
			}
			alts = append(alts, c.contains(t, now, v, whole))
		}
		e := strings.Join(alts, " || ")
		if len(alts) > 1 {
			e = "(" + e + ")"
		}
		if cond.Op == NotContains || cond.Op == NotContainsWords {
			return "not (" + e + ")", nil
		}
		return e, nil
	}
	return "", fmt.Errorf("operator %q is not allowed for %s", cond.Op, t.Name)
}

// contains returns the test of one word or member v of target t; whole
// asks for whole words (contains_words).
func (c *compiler) contains(t Target, now, v string, whole bool) string {
	switch t.Type {
	case TypeTags:
		c.hitsOnly = false
		return "Now.Tags contains " + strconv.Quote(token(v))
	case TypeMulti:
		c.hitsOnly = false
		return "Now.Lists contains " + strconv.Quote(token(strconv.Itoa(c.slot(t))+"="+v))
	}
	src := srcFields
	switch t.Name {
	case TargetTitle:
		src = srcTitle
	case TargetContent:
		src = srcContent
	case TargetRequesterEmail:
		src = srcEmail
	default:
		src = srcFields + c.slot(t)
	}
	w := template.Fold(strings.TrimSpace(v))
	wi, ok := c.wordOf[w]
	if !ok {
		wi = len(c.words)
		c.words = append(c.words, w)
		c.wordOf[w] = wi
	}
	ht := hitToken{src: src, word: wi, whole: whole}
	id, ok := c.tokenOf[ht]
	if !ok {
		id = len(c.tokens)
		c.tokens = append(c.tokens, ht)
		c.tokenOf[ht] = id
	}
	c.needs |= needHits << min(src, 7)
	c.hits = append(c.hits, int32(id))
	return "Hits contains " + strconv.Quote(hitTok(id))
}

// under returns the number of the is-under-any list ids of tree,
// registering it; equal lists (in any order) share one.
func (c *compiler) under(tree int, ids []string) int {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	k := strconv.Itoa(tree)
	for _, id := range ids {
		k += strconv.Quote(id)
	}
	if n, ok := c.underOf[k]; ok {
		return n
	}
	c.unders = append(c.unders, underList{tree: tree, ids: ids})
	c.underOf[k] = len(c.unders) - 1
	return len(c.unders) - 1
}

// hitTok is the token of hit id in evalEnv.Hits.
func hitTok(id int) string { return "\x00w" + strconv.Itoa(id) + "\x00" }

// compileOne compiles one trigger against s on its own, as Validate does.
func compileOne(t Trigger, s *Schema) (*vm.Program, error) {
	c := newCompiler(s)
	src, err := c.source(t)
	if err != nil {
		return nil, err
	}
	return compileSource(src)
}

// maxNodes is expr's node budget for one program: enough for a trigger at
// every limit Validate sets (conditions × values, a few nodes each).
const maxNodes = 2 * MaxConditions * (MaxValues*4 + 16)

// compileSource compiles one program over evalEnv. The program keeps its
// bytecode, constants and source locations (for error messages), not the
// syntax tree expr.Compile also returns: a set of thousands of triggers
// keeps a few hundred bytes per trigger instead of several kilobytes.
func compileSource(src string) (*vm.Program, error) {
	p, err := expr.Compile(src, expr.Env(evalEnv{}), expr.AsBool(), expr.MaxNodes(maxNodes))
	if err != nil {
		return nil, err
	}
	return vm.NewProgram(p.Source(), nil, p.Locations(), 0, p.Constants, p.Bytecode, p.Arguments, nil, nil, nil), nil
}
