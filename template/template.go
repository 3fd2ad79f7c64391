package template

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Errors a Repository returns; they are the same values as
// helpdesk.ErrNotFound, helpdesk.ErrConflict and helpdesk.ErrInvalid.
var (
	ErrNotFound = errs.ErrNotFound
	ErrConflict = errs.ErrConflict
	ErrInvalid  = errs.ErrInvalid
)

// Limits of the texts this package keeps.
const (
	// MaxTitleBytes bounds a template's title.
	MaxTitleBytes = text.NameBytes // 200
	// MaxContentBytes bounds a template's content.
	MaxContentBytes = text.LongBytes // 64 KiB
	// MaxCodeBytes bounds a template's search code.
	MaxCodeBytes = 50
	// MaxWordBytes bounds a forbidden word.
	MaxWordBytes = text.KeyBytes // 100
	// MaxWords bounds a service's forbidden-word list (a Matcher of that
	// many words of MaxWordBytes stays far within its limits).
	MaxWords = 100_000
	// MaxIDBytes bounds the category ids a template is linked to.
	MaxIDBytes = text.KeyBytes // 100
	// DefaultSearchLimit is the number of templates a Query returns when
	// its Limit is 0.
	DefaultSearchLimit = text.DefaultPage // 50
	// MaxSearchLimit is the largest Query.Limit.
	MaxSearchLimit = text.MaxPage // 500
)

// Template is a reply template (TPL-1). Values are plain data: a Template
// read from a repository shares no memory with the store.
type Template struct {
	// ID is the template's id (a UUIDv7 from the Desk).
	ID string `json:"id"`
	// Title is what agents see in lists, at most MaxTitleBytes.
	Title string `json:"title"`
	// Content is the reply text, with #{codes} (TPL-4) still in it; it
	// parsed when it was saved.
	Content string `json:"content"`
	// Code is the search code agents type to find the template quickly;
	// unique in the service, compared folded (Fold: case- and
	// width-insensitive).
	Code string `json:"code"`
	// CategoryIDs are the processing categories the template is linked to
	// (TPL-2), ascending.
	CategoryIDs []string `json:"category_ids,omitempty"`
	// CreatedAt and UpdatedAt are when it was created and last changed
	// (links aside).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Clone returns a deep copy of t.
func (t Template) Clone() Template {
	t.CategoryIDs = slices.Clone(t.CategoryIDs)
	return t
}

// Link returns t linked to the category as well, its ids still ascending,
// and whether that is a change (it was not linked yet).
func (t Template) Link(categoryID string) (Template, bool) {
	k, found := slices.BinarySearch(t.CategoryIDs, categoryID)
	if found {
		return t, false
	}
	t.CategoryIDs = slices.Insert(slices.Clone(t.CategoryIDs), k, categoryID)
	return t, true
}

// Unlink returns t without its link to the category, and whether that is
// a change (it was linked). No links left is nil.
func (t Template) Unlink(categoryID string) (Template, bool) {
	k, found := slices.BinarySearch(t.CategoryIDs, categoryID)
	if !found {
		return t, false
	}
	t.CategoryIDs = slices.Delete(slices.Clone(t.CategoryIDs), k, k+1)
	if len(t.CategoryIDs) == 0 {
		t.CategoryIDs = nil
	}
	return t, true
}

// CodeKey is the form in which search codes are compared for uniqueness and
// prefix search: Fold of the code.
func CodeKey(code string) string { return Fold(code) }

// SearchText is the folded text a Query's words are looked for in: the
// title and the content, folded, one line apart (a word never spans both).
func SearchText(title, content string) string { return Fold(title) + "\n" + Fold(content) }

// New is what a caller supplies to create a template, or to replace
// one whole.
type New struct {
	Title   string // required, at most MaxTitleBytes
	Content string // required, at most MaxContentBytes, its #{codes} known
	Code    string // required, at most MaxCodeBytes, no white space
	// CategoryIDs link the template to processing categories when it is
	// created; an update ignores them (links change one at a time: the
	// helpdesk's Templates.Link and Templates.Unlink).
	CategoryIDs []string
}

// Normalize returns s trimmed, with its category ids sorted and without
// duplicates, and checks it: title, content and code present and within
// the limits, no white space in the code, every #{code} of the content
// known. The error lists every problem at once: a *problem.ValidationError
// (helpdesk.ValidationError), one problem per bad code too; when codes are
// bad, errors.As also finds a *ParseError with their offsets in it. It
// matches ErrInvalid.
func (s New) Normalize() (New, error) {
	var c errs.Collector
	s.Title = strings.TrimSpace(s.Title)
	s.Code = strings.TrimSpace(s.Code)
	checkText(&c, "title", s.Title, MaxTitleBytes)
	checkText(&c, "content", s.Content, MaxContentBytes)
	checkText(&c, "code", s.Code, MaxCodeBytes)
	if !c.Has("code") && strings.IndexFunc(s.Code, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		c.Add("code", "must not contain white space or control characters")
	}
	ids := make([]string, 0, len(s.CategoryIDs))
	for _, id := range s.CategoryIDs {
		if id == "" || !text.Valid(id, MaxIDBytes) {
			c.Add("category_ids", "%q is not a category id", id)
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s.CategoryIDs = slices.Compact(ids)
	var pe *ParseError
	if !c.Has("content") {
		if _, err := Parse(s.Content); errors.As(err, &pe) {
			for _, ce := range pe.Codes {
				c.Add("content", "%s", ce.String())
			}
		}
	}
	if pe != nil {
		return s, errs.With(c.Err(), pe)
	}
	return s, c.Err()
}

func checkText(c *errs.Collector, field, s string, max int) {
	text.Check(c, field, s, true, max)
}

// Query selects templates (TPL-3; Repository.Find). Empty fields do not
// filter.
type Query struct {
	// CodePrefix keeps templates whose search code starts with it, both
	// folded (Fold).
	CodePrefix string
	// Words are split at white space; each must occur, folded, in the
	// folded title or content.
	Words string
	// CategoryID keeps templates linked to this processing category.
	CategoryID string
	// Limit bounds the result: 0 is DefaultSearchLimit, at most
	// MaxSearchLimit (Normalize fills it in; Repository.Find, given a
	// query as it is, takes 0 as no bound).
	Limit int
}

// Normalize checks q and fills in the default limit.
func (q Query) Normalize() (Query, error) {
	var c errs.Collector
	switch {
	case q.Limit < 0 || q.Limit > MaxSearchLimit:
		c.Add("limit", "must be between 0 and %d", MaxSearchLimit)
	case q.Limit == 0:
		q.Limit = DefaultSearchLimit
	}
	if !text.Valid(q.CodePrefix, MaxCodeBytes) {
		c.Add("code_prefix", "must be valid UTF-8 without NUL of at most %d bytes", MaxCodeBytes)
	}
	if !text.Valid(q.Words, MaxTitleBytes) {
		c.Add("words", "must be valid UTF-8 without NUL of at most %d bytes", MaxTitleBytes)
	}
	if !text.Valid(q.CategoryID, MaxIDBytes) {
		c.Add("category_id", "must be valid UTF-8 without NUL of at most %d bytes", MaxIDBytes)
	}
	return q, c.Err()
}

// Terms returns the query's words, folded, without duplicates.
func (q Query) Terms() []string {
	ws := strings.Fields(Fold(q.Words))
	slices.Sort(ws)
	return slices.Compact(ws)
}

// Matches reports whether t is selected by q (the limit aside): the rule
// of Repository.Find. terms are q.Terms().
func (q Query) Matches(t Template, terms []string) bool {
	return q.MatchesFolded(CodeKey(t.Code), SearchText(t.Title, t.Content), t.CategoryIDs, terms)
}

// MatchesFolded is Matches on the forms a store keeps of a template: its
// CodeKey, its SearchText and its category ids. Every clause of q must
// hold: the code key starts with CodeKey(q.CodePrefix), the template is
// linked to q.CategoryID (when set) and the search text contains each
// term. A store either calls it or mirrors it in its query language.
func (q Query) MatchesFolded(codeKey, searchText string, categoryIDs, terms []string) bool {
	if q.CodePrefix != "" && !strings.HasPrefix(codeKey, CodeKey(q.CodePrefix)) {
		return false
	}
	if q.CategoryID != "" && !slices.Contains(categoryIDs, q.CategoryID) {
		return false
	}
	for _, w := range terms {
		if !strings.Contains(searchText, w) {
			return false
		}
	}
	return true
}

// Compare orders templates as every listing returns them: by folded search
// code, then id (which breaks no real tie: codes are unique).
func Compare(a, b Template) int {
	return cmp.Or(strings.Compare(CodeKey(a.Code), CodeKey(b.Code)), strings.Compare(a.ID, b.ID))
}

// ForbiddenWord is one entry of a service's forbidden-word list (FWD-1).
type ForbiddenWord struct {
	// ID is the entry's id.
	ID string `json:"id"`
	// Word is the word or phrase as the admin wrote it; it is matched
	// folded (Fold), and unique in the service in that form.
	Word string `json:"word"`
	// CreatedAt is when the word was listed.
	CreatedAt time.Time `json:"created_at"`
}

// WordList is a service's forbidden-word list as read at one moment.
type WordList struct {
	// Version names this content of the list: it changes with every change
	// and is never handed out again for another content, so a Matcher
	// built from the list can be cached under it. "" is the list never
	// changed (empty).
	Version string
	// Words are ordered by their folded form.
	Words []ForbiddenWord
}

// NormalizeWord trims w and checks it: present, one line, valid UTF-8, at
// most MaxWordBytes.
func NormalizeWord(w string) (string, error) {
	w = strings.TrimSpace(w)
	var c errs.Collector
	switch {
	case Fold(w) == "":
		c.Add("word", "is required")
	case !utf8.ValidString(w):
		c.Add("word", "%q is not valid UTF-8", w)
	case strings.IndexByte(w, 0) >= 0:
		c.Add("word", "%q contains a NUL byte", w)
	case len(w) > MaxWordBytes:
		c.Add("word", "%q is %d bytes, over the limit of %d", w, len(w), MaxWordBytes)
	case strings.ContainsAny(w, "\r\n"):
		c.Add("word", "%q spans lines", w)
	}
	return w, c.Err()
}

// CheckCode refuses t's search code when another template (by ID) of
// others has it, compared folded (TPL-1): a *DuplicateCodeError. others
// need only hold the templates whose code starts with t's (Query.CodePrefix):
// the one with t's code key comes first of those in Compare order.
func CheckCode(others []Template, t Template) error {
	key := CodeKey(t.Code)
	for _, o := range others {
		if o.ID != t.ID && CodeKey(o.Code) == key {
			return &DuplicateCodeError{Code: t.Code}
		}
	}
	return nil
}

// CheckWords checks writing ws into the forbidden-word list listed
// (FWD-1); an entry of ws whose ID is listed replaces that entry, the
// others are new. The list must not grow past MaxWords (a problem on
// "words" of a *ValidationError), and no two entries may share their folded
// word: a word listed already under another id, or given twice in ws, is a
// *DuplicateWordError naming the first such word of ws.
func CheckWords(listed, ws []ForbiddenWord) error {
	changed := make(map[string]bool, len(ws))
	for _, w := range ws {
		changed[w.ID] = true
	}
	taken := make(map[string]bool, len(listed)+len(ws))
	n := len(listed) + len(ws)
	for _, w := range listed {
		if changed[w.ID] {
			n--
			continue
		}
		taken[Fold(w.Word)] = true
	}
	if n > MaxWords {
		var c errs.Collector
		c.Add("words", "the list would have %d words, over the limit of %d", n, MaxWords)
		return c.Err()
	}
	for _, w := range ws {
		k := Fold(w.Word)
		if taken[k] {
			return &DuplicateWordError{Word: w.Word}
		}
		taken[k] = true
	}
	return nil
}

// DuplicateCodeError is returned when another template of the service has
// the search code (compared folded, TPL-1). It matches ErrConflict.
type DuplicateCodeError struct {
	Code string // the code as given
}

// Error implements error.
func (e *DuplicateCodeError) Error() string {
	return fmt.Sprintf("conflict: a template with search code %q exists", e.Code)
}

// Is reports whether target is ErrConflict.
func (e *DuplicateCodeError) Is(target error) bool { return target == errs.ErrConflict }

// DuplicateWordError is returned when the service's forbidden-word list has
// the word already (compared folded). It matches ErrConflict.
type DuplicateWordError struct {
	Word string // the word as given
}

// Error implements error.
func (e *DuplicateWordError) Error() string {
	return fmt.Sprintf("conflict: the forbidden word %q is listed already", e.Word)
}

// Is reports whether target is ErrConflict.
func (e *DuplicateWordError) Is(target error) bool { return target == errs.ErrConflict }

// Repository stores one service's reply templates with their category
// links, and its forbidden-word list with the list's version. It persists,
// reads and locks; it makes no rule checks: unique codes and words
// (CheckCode, CheckWords), link targets and limits are checked by package
// helpdesk after Lock. Its unique keys (a template's id and CodeKey, a
// word's id and Fold) are constraints: a write that would break one is
// ErrConflict (a unique index on PostgreSQL; the transaction is then only
// good for a rollback). Every method sees only that service's rows: a
// foreign id answers ErrNotFound (SVC-1).
type Repository interface {
	// Lock serialises the service's template and forbidden-word writes
	// until the transaction ends; a workflow takes it before it reads
	// what it checks.
	Lock(ctx context.Context) error
	// Insert stores a new template and its links to t.CategoryIDs.
	// ErrConflict when its id or code key is taken.
	Insert(ctx context.Context, t Template) error
	// Get returns the template with id, its links ascending (nil for
	// none), or ErrNotFound.
	Get(ctx context.Context, id string) (Template, error)
	// Find returns the templates q selects (Query.Matches), ordered by
	// Compare; at most q.Limit of them when q.Limit is above 0, else all.
	// q is used as given (not normalized).
	Find(ctx context.Context, q Query) ([]Template, error)
	// Save stores t over the stored template t.ID, every field, its links
	// replaced by t.CategoryIDs. ErrNotFound if unknown, ErrConflict when
	// another template has the code key.
	Save(ctx context.Context, t Template) error
	// Delete removes a template and its links; ErrNotFound if unknown.
	Delete(ctx context.Context, id string) error

	// InsertWords adds entries to the list, all or none, and gives the
	// list a new version (none is no change). ErrConflict when an id or a
	// folded word is taken.
	InsertWords(ctx context.Context, ws []ForbiddenWord) error
	// SaveWord stores w over the entry w.ID and gives the list a new
	// version. ErrNotFound if unknown, ErrConflict when another entry has
	// the folded word.
	SaveWord(ctx context.Context, w ForbiddenWord) error
	// DeleteWord removes an entry and gives the list a new version.
	// ErrNotFound if unknown.
	DeleteWord(ctx context.Context, id string) error
	// Words returns the list with the version of exactly that content,
	// read together. When the version is known (the caller holds what it
	// built from that content) the words are left out: one cheap read,
	// done for every reply (FWD-2).
	Words(ctx context.Context, known string) (WordList, error)
}
