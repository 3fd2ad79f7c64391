package template

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/deskkit/deskkit/internal/errs"
)

// Hit is one occurrence of a forbidden word in a text.
type Hit struct {
	// Word is the listed word that was found, as it was listed.
	Word string `json:"word"`
	// Start and End are the byte offsets of the occurrence in the text as
	// given (not folded): text[Start:End] is what matched. They fall on
	// rune boundaries; where NFC joined runes (a letter and its combining
	// marks) they span all of them.
	Start int `json:"start"`
	End   int `json:"end"`
}

// ForbiddenError refuses a text that contains forbidden words (FWD-2). It
// matches ErrInvalid.
type ForbiddenError struct {
	// Text is the text that was checked (a reply as rendered): the hits'
	// offsets are in it.
	Text string
	// Hits are every occurrence, by Start, then End.
	Hits []Hit
}

// Error implements error.
func (e *ForbiddenError) Error() string {
	var b strings.Builder
	b.WriteString("invalid: the text contains forbidden words: ")
	for i, h := range e.Hits {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q at bytes %d-%d", h.Word, h.Start, h.End)
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ForbiddenError) Is(target error) bool { return target == errs.ErrInvalid }

// Words returns the distinct words found, in the order of their first hit.
func (e *ForbiddenError) Words() []string {
	var out []string
	for _, h := range e.Hits {
		if !slices.Contains(out, h.Word) {
			out = append(out, h.Word)
		}
	}
	return out
}

// Matcher finds the words of one list in texts (FWD-2). Build it once per
// list with NewMatcher; it is immutable and safe for concurrent use. It is
// an Aho–Corasick automaton over the bytes of the folded words (Fold), run
// on the folded text: the time of Find grows with the text and the number
// of hits, hardly with the number of words.
//
// The shallow nodes, which a scan visits most, keep a complete row of moves
// with the failure links resolved (one entry per byte class: the bytes no
// word has are one class), so a scan there needs one load per byte; the
// deeper ones keep their edges sorted in a flat array and follow failure
// links to a dense node. A state is an encoded node (see stateOut,
// stateSparse) whose bits say whether it has outputs and where its moves
// are.
type Matcher struct {
	words []string // by pattern id: the word as listed
	lens  []int    // by pattern id: the folded word's length in bytes

	nodes   []acNode    // node 0 is the root, always dense
	labels  []byte      // sparse edges of node n: labels/next[n.edges : n.edges+n.count], by label
	next    []uint32    // states
	classes [256]uint32 // byte → class
	width   uint32      // the number of classes: the length of a dense row
	dense   []uint32    // dense rows of states: dense[row+classes[c]] is the move by byte c
	rowNode []int32     // the node of each dense row (row/width)
}

// acNode is a trie node with its failure and output links.
type acNode struct {
	edges int32  // the first sparse edge
	count int32  // the number of sparse edges; 0 for a dense node
	fail  uint32 // the state of the longest proper suffix that is a node
	out   int32  // the pattern ending here, or -1
	link  int32  // the nearest node on the fail chain with an output, or 0
}

// A state's bits: stateOut is set when its node or one on its fail chain
// ends a word; stateSparse when the low bits are a sparse node's id, else
// they are the offset of its dense row.
const (
	stateOut    = 1 << 31
	stateSparse = 1 << 30
	stateBits   = stateSparse - 1
)

// maxDense is the number of dense rows of an automaton: shallow nodes first,
// at most 32 bytes a node on average (or 256 rows).
func maxDense(nodes, width int) int { return max(256, 8*nodes/width) }

var folderPool = sync.Pool{New: func() any { return new(folder) }}

// NewMatcher builds the matcher of words. Words that fold to the same text
// are one (the first spelling is reported); words that fold to nothing are
// left out.
func NewMatcher(words []string) *Matcher {
	m := &Matcher{}
	type tnode struct {
		edges []int32 // child ids, by label
		label byte
		out   int32
	}
	trie := []tnode{{out: -1}}
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		p := Fold(strings.TrimSpace(w))
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		id := int32(len(m.words))
		m.words = append(m.words, w)
		m.lens = append(m.lens, len(p))
		n := int32(0)
		for i := 0; i < len(p); i++ {
			c := p[i]
			es := trie[n].edges
			k, found := slices.BinarySearchFunc(es, c, func(e int32, c byte) int { return cmp.Compare(trie[e].label, c) })
			if found {
				n = es[k]
				continue
			}
			child := int32(len(trie))
			trie = append(trie, tnode{label: c, out: -1})
			trie[n].edges = slices.Insert(trie[n].edges, k, child)
			n = child
		}
		trie[n].out = id
	}

	// Renumber the nodes breadth first (parents before children, siblings
	// together) and lay the edges out flat; next holds node ids until the
	// states are known.
	order := make([]int32, 0, len(trie))
	newID := make([]int32, len(trie))
	order = append(order, 0)
	for i := 0; i < len(order); i++ {
		for _, c := range trie[order[i]].edges {
			newID[c] = int32(len(order))
			order = append(order, c)
		}
	}
	nodes := make([]acNode, len(order))
	m.labels = make([]byte, 0, len(order)-1)
	m.next = make([]uint32, 0, len(order)-1)
	for i, old := range order {
		t := &trie[old]
		nodes[i] = acNode{edges: int32(len(m.labels)), count: int32(len(t.edges)), out: t.out}
		for _, c := range t.edges {
			m.labels = append(m.labels, trie[c].label)
			m.next = append(m.next, uint32(newID[c]))
		}
	}
	trie = nil
	m.nodes = nodes

	// Failure and output links (fail as a node id for now), breadth
	// first: a node's fail is shallower, so it is done before the node.
	child := func(s int32, c byte) int32 {
		n := &nodes[s]
		k, found := slices.BinarySearch(m.labels[n.edges:n.edges+n.count], c)
		if !found {
			return 0
		}
		return int32(m.next[n.edges+int32(k)])
	}
	move := func(s int32, c byte) int32 { // the move on the trie with failure links
		for {
			if t := child(s, c); t != 0 || s == 0 {
				return t
			}
			s = int32(nodes[s].fail)
		}
	}
	for s := range int32(len(nodes)) {
		n := nodes[s]
		for k := n.edges; k < n.edges+n.count; k++ {
			c, v := m.labels[k], int32(m.next[k])
			f := int32(0)
			if s != 0 {
				f = move(int32(n.fail), c)
			}
			nodes[v].fail = uint32(f)
			if nodes[f].out >= 0 {
				nodes[v].link = f
			} else {
				nodes[v].link = nodes[f].link
			}
		}
	}

	// Byte classes: a class of its own for each byte of a word, class 0
	// for the others. rep holds a byte of each class; 0xFF is in no word
	// (folded words are valid UTF-8).
	var used [256]bool
	for _, c := range m.labels {
		used[c] = true
	}
	m.width = 1
	rep := []byte{0xFF}
	for c := range 256 {
		if used[c] {
			m.classes[c] = m.width
			m.width++
			rep = append(rep, byte(c))
		}
	}

	// Which nodes are dense (breadth first), and the state of every node.
	budget := maxDense(len(nodes), int(m.width))
	state := make([]uint32, len(nodes))
	for s := range int32(len(nodes)) {
		if budget > 0 {
			budget--
			state[s] = uint32(len(m.rowNode)) * m.width
			m.rowNode = append(m.rowNode, s)
		} else {
			state[s] = stateSparse | uint32(s)
		}
		if nodes[s].out >= 0 || nodes[s].link != 0 {
			state[s] |= stateOut
		}
	}
	// Dense rows, in node order: a row takes its fail's moves, whose row
	// (if dense) is done already.
	w := int(m.width)
	rows := make([]int32, len(m.rowNode)*w)
	for r, s := range m.rowNode {
		row := rows[r*w : (r+1)*w]
		f := int32(nodes[s].fail)
		for k, c := range rep {
			switch t := child(s, c); {
			case t != 0 || s == 0:
				row[k] = t
			case state[f]&stateSparse == 0:
				row[k] = rows[int(state[f]&stateBits)+k]
			default:
				row[k] = move(f, c)
			}
		}
	}
	m.dense = make([]uint32, len(rows))
	for i, t := range rows {
		m.dense[i] = state[t]
	}
	for k, t := range m.next {
		m.next[k] = state[t]
	}
	for s := range nodes {
		nodes[s].fail = state[nodes[s].fail]
		if state[s]&stateSparse == 0 {
			nodes[s].count = 0 // its moves are in its row
		}
	}
	return m
}

// Len returns the number of distinct words the matcher finds.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return len(m.words)
}

// sparseMove is the move from sparse node s by byte c.
func (m *Matcher) sparseMove(s uint32, c byte) uint32 {
	for {
		n := &m.nodes[s]
		for k := n.edges; k < n.edges+n.count; k++ {
			if m.labels[k] == c {
				return m.next[k]
			}
		}
		if n.fail&stateSparse == 0 {
			return m.dense[n.fail&stateBits+m.classes[c]]
		}
		s = n.fail & stateBits
	}
}

// node returns the node id of state v.
func (m *Matcher) node(v uint32) int32 {
	if v&stateSparse != 0 {
		return int32(v & stateBits)
	}
	return m.rowNode[(v&stateBits)/m.width]
}

// Find returns every occurrence of the matcher's words in text (folded as
// Fold does), by Start, then End; nil when there is none.
func (m *Matcher) Find(text string) []Hit {
	if m.Len() == 0 || text == "" {
		return nil
	}
	f := folderPool.Get().(*folder)
	defer folderPool.Put(f)
	f.fold(text)
	var hits []Hit
	m.walk(f.out, func(end int, id int32) {
		start, stop := f.span(end-m.lens[id], end, len(text))
		hits = append(hits, Hit{Word: m.words[id], Start: start, End: stop})
	})
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), strings.Compare(a.Word, b.Word))
	})
	return hits
}

// Scan calls found with the index of each word that occurs in text (folded
// as Fold does), once per occurrence, in the order their occurrences end.
// A word's index is its position among the words given to NewMatcher
// after those left out (duplicates after folding, empty ones). Scan does
// not allocate.
func (m *Matcher) Scan(text string, found func(word int)) {
	if m.Len() == 0 || text == "" {
		return
	}
	f := folderPool.Get().(*folder)
	f.fold(text)
	m.walk(f.out, func(_ int, id int32) { found(int(id)) })
	folderPool.Put(f)
}

// walk runs the automaton over folded text and calls out with the end
// offset and the pattern id of every occurrence.
func (m *Matcher) walk(folded []byte, out func(end int, id int32)) {
	dense, classes := m.dense, &m.classes
	v := uint32(0) // the root's row
	for i, c := range folded {
		if v&stateSparse == 0 {
			v = dense[v&stateBits+classes[c]]
		} else {
			v = m.sparseMove(v&stateBits, c)
		}
		if v&stateOut == 0 {
			continue
		}
		o := m.node(v)
		if m.nodes[o].out < 0 {
			o = m.nodes[o].link
		}
		for o != 0 {
			out(i+1, m.nodes[o].out)
			o = m.nodes[o].link
		}
	}
}

// Check returns a *ForbiddenError listing every hit in text, or nil.
func (m *Matcher) Check(text string) error {
	if hits := m.Find(text); len(hits) > 0 {
		return &ForbiddenError{Text: text, Hits: hits}
	}
	return nil
}
