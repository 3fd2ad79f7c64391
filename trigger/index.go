package trigger

import (
	"math/bits"
)

// The index finds the triggers an evaluation can fire without looking at
// the others (TRG-7 cost): a trigger's `all` conditions on the event,
// status, priority and channel (is, is not, in, not in: see masked) and on
// the intake and processing categories, the group and the assignee (is,
// is not, in, not in; is under and is not under, one or any, for the
// categories) are decided by the index, exactly, and left out of the
// conditions the run evaluates. The candidates of an evaluation are a
// bitset over the triggers in run order (TRG-1), the intersection of one
// set per dimension; the run walks its bits in order.
//
// Enumerated dimensions (event, status, priority, channel) keep a dense
// bitset per value bit (see dim); the id dimensions keep a bitset of the
// triggers that do not restrict them to a list and sparse posting lists
// by id: the triggers restricted to lists naming it (is, in; is under
// through the category's path), and those that exclude it (is not, not
// in; is not under).

// The id dimensions, in index order.
const (
	idIntake = iota
	idProcessing
	idGroup
	idAssignee
	numIDs
)

var idTargets = [numIDs]string{TargetIntakeCategory, TargetProcessingCategory, TargetGroup, TargetAssignee}

// idDim is the index of one id dimension.
type idDim struct {
	// open holds the triggers with no positive (is, in, is under)
	// condition on the dimension that the index decides.
	open []uint64
	// only: id → triggers restricted to a list naming it; under: category
	// id → triggers restricted to categories under a list naming it; not,
	// notUnder: the exclusions alike.
	only, under, not, notUnder map[string][]int32
}

// index is a Set's trigger index.
type index struct {
	words int
	// enum holds, per prefilter bit, the triggers whose mask has it:
	// words uint64s each.
	enum []uint64
	ids  [numIDs]*idDim
}

// idOf returns the id dimension of target, or -1.
func idOf(target string) int {
	for d, t := range idTargets {
		if t == target {
			return d
		}
	}
	return -1
}

// indexKind says how the index decides condition c of an all list on id
// dimension d: its values, whether it excludes them, whether through the
// category's path; ok false when the index cannot decide it (then the run
// evaluates it). Only values of exactly the shape the compiled condition
// reads are indexed, so both always agree.
func indexKind(d int, c Condition) (vals []string, negative, path, ok bool) {
	category := d == idIntake || d == idProcessing
	var one, list bool
	switch c.Op {
	case Is, IsNot:
		one = true
	case In, NotIn:
		list = true
	case IsUnder, IsNotUnder:
		one, path = true, true
	case IsUnderAny, IsNotUnderAny:
		list, path = true, true
	}
	if path && !category {
		return nil, false, false, false
	}
	switch {
	case one:
		s, isStr := c.Value.(string)
		if !isStr || s == "" {
			return nil, false, false, false
		}
		vals = []string{s}
	case list:
		l, isList := c.Value.([]string)
		if !isList {
			return nil, false, false, false
		}
		for _, s := range l {
			if s == "" {
				return nil, false, false, false
			}
		}
		vals = l
	default:
		return nil, false, false, false
	}
	negative = c.Op == IsNot || c.Op == NotIn || c.Op == IsNotUnder || c.Op == IsNotUnderAny
	return vals, negative, path, true
}

// indexer builds an index trigger by trigger.
type indexer struct {
	masks []uint32
	ids   [numIDs]*idDim
	// bound: per id dimension, the triggers with a positive indexed
	// condition (the others go to open).
	bound [numIDs][]int32
}

// add indexes trigger i (the next one) and reports, per condition of its
// all list, whether the index decides it.
func (x *indexer) add(i int, t Trigger, decided []bool) {
	x.masks = append(x.masks, maskOf(t))
	var positive [numIDs]bool
	for j, c := range t.All {
		if masked(c) {
			decided[j] = true
			continue
		}
		d := idOf(c.Target)
		if d < 0 {
			continue
		}
		vals, negative, path, ok := indexKind(d, c)
		if !ok || (!negative && positive[d]) {
			continue // one positive condition per dimension; the run tests the others
		}
		if x.ids[d] == nil {
			x.ids[d] = &idDim{only: map[string][]int32{}, under: map[string][]int32{}, not: map[string][]int32{}, notUnder: map[string][]int32{}}
		}
		m := x.ids[d].only
		switch {
		case negative && path:
			m = x.ids[d].notUnder
		case negative:
			m = x.ids[d].not
		case path:
			m = x.ids[d].under
		}
		for _, v := range vals {
			if l := m[v]; len(l) == 0 || l[len(l)-1] != int32(i) {
				m[v] = append(l, int32(i))
			}
		}
		if !negative {
			positive[d] = true
			x.bound[d] = append(x.bound[d], int32(i))
		}
		decided[j] = true
	}
}

// build returns the index of the n triggers added.
func (x *indexer) build(n int) index {
	ix := index{words: (n + 63) / 64}
	ix.enum = make([]uint64, allBitsCount*ix.words)
	for i, m := range x.masks {
		for b := range allBitsCount {
			if m&(1<<b) != 0 {
				ix.enum[b*ix.words+i>>6] |= 1 << (i & 63)
			}
		}
	}
	for d, id := range x.ids {
		if id == nil {
			continue
		}
		id.open = make([]uint64, ix.words)
		for i := range n {
			id.open[i>>6] |= 1 << (i & 63)
		}
		for _, i := range x.bound[d] {
			id.open[i>>6] &^= 1 << (i & 63)
		}
		for _, m := range []map[string][]int32{id.only, id.under, id.not, id.notUnder} {
			for k, l := range m {
				m[k] = l[:len(l):len(l)]
			}
		}
		ix.ids[d] = id
	}
	return ix
}

// allBitsCount is the number of prefilter bits (see allBits).
const allBitsCount = 23

// candidates writes into sc.cand the triggers from start on that have
// not fired and whose indexed conditions hold for prefilter key k and the
// ids of t (with the categories' ancestors).
func (s *Set) candidates(k uint32, vals *[numIDs]string, start int, in Input, sc *scratch) []uint64 {
	ix := &s.ix
	nw := ix.words
	cand := growWords(&sc.cand, nw)
	copy(cand, sc.firedBits[:nw])
	var bs [4]int
	n := 0
	for b := range allBitsCount {
		if k&(1<<b) != 0 {
			bs[n] = b * nw
			n++
		}
	}
	e0, e1, e2, e3 := ix.enum[bs[0]:bs[0]+nw], ix.enum[bs[1]:bs[1]+nw], ix.enum[bs[2]:bs[2]+nw], ix.enum[bs[3]:bs[3]+nw]
	for w := range cand {
		cand[w] = e0[w] & e1[w] & e2[w] & e3[w] &^ cand[w]
	}
	// Before start: not candidates.
	clear(cand[:start>>6])
	if start < nw*64 && start&63 != 0 {
		cand[start>>6] &^= 1<<(start&63) - 1
	}
	for d, id := range ix.ids {
		if id == nil {
			continue
		}
		tmp := growWords(&sc.tmp, nw)
		copy(tmp, id.open)
		v := vals[d]
		setAll(tmp, id.only[v])
		var up []string
		if v != "" && (len(id.under) > 0 || len(id.notUnder) > 0) {
			up = sc.ancestors(d, v, in)
			setAll(tmp, id.under[v])
			for _, a := range up {
				setAll(tmp, id.under[a])
			}
		}
		clearAll(tmp, id.not[v])
		if v != "" && len(id.notUnder) > 0 {
			clearAll(tmp, id.notUnder[v])
			for _, a := range up {
				clearAll(tmp, id.notUnder[a])
			}
		}
		for w := range cand {
			cand[w] &= tmp[w]
		}
	}
	return cand
}

func growWords(b *[]uint64, n int) []uint64 {
	if cap(*b) < n {
		*b = make([]uint64, n)
	}
	*b = (*b)[:n]
	return *b
}

func setAll(b []uint64, l []int32) {
	for _, i := range l {
		b[i>>6] |= 1 << (i & 63)
	}
}

func clearAll(b []uint64, l []int32) {
	for _, i := range l {
		b[i>>6] &^= 1 << (i & 63)
	}
}

// nextBit returns the first set bit of b at or after i, or -1.
func nextBit(b []uint64, i int) int {
	w := i >> 6
	if w >= len(b) {
		return -1
	}
	x := b[w] &^ (1<<(i&63) - 1)
	for {
		if x != 0 {
			return w<<6 + bits.TrailingZeros64(x)
		}
		w++
		if w >= len(b) {
			return -1
		}
		x = b[w]
	}
}
