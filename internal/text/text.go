// Package text is the one home of the text limits and validators that
// several packages share: a name is bounded the same way in every package,
// an email address or a phone number is accepted by one function, and a
// list page has one default and one maximum size. Packages export their own
// names for these limits (field.MaxURLBytes, trigger.MaxURLBytes ...) as
// aliases of the constants here, so no literal is copied between packages.
package text

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/deskkit/deskkit/internal/errs"
)

// Limits shared by several packages, in bytes unless said otherwise.
const (
	// NameBytes bounds a name or a label, per language: a person's name, a
	// category's, a trigger's, a field's label, a template's title.
	NameBytes = 200
	// ShortBytes bounds a short free text: a field's text value or help
	// text, a condition's value, a user agent.
	ShortBytes = 1000
	// LongBytes bounds a long text, per language: template content, a mail,
	// note or SMS body of a trigger, a multi-line field value.
	LongBytes = 64 << 10
	// AddressBytes bounds a mail address or a phone number (the SMTP path
	// limit of RFC 5321).
	AddressBytes = 254
	// URLBytes bounds a URL.
	URLBytes = 2048
	// TagBytes bounds one tag, KeyBytes an id or key a caller passes in.
	TagBytes = 100
	KeyBytes = 100
	// MaxTags is the most tags a ticket has.
	MaxTags = 100
	// MaxList bounds a list a caller passes in: select options, the values
	// of an "in" condition.
	MaxList = 500
	// DefaultPage and MaxPage are the page sizes of every paged list.
	DefaultPage = 50
	MaxPage     = 500
)

// Check records a problem on c when s is empty (and required), is not
// valid UTF-8, holds a NUL byte (no store can keep one), or is longer than
// max bytes (max 0: no bound).
func Check(c *errs.Collector, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		c.Add(field, "is required")
	case !utf8.ValidString(s):
		c.Add(field, "is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		c.Add(field, "contains a NUL byte")
	case max > 0 && len(s) > max:
		c.Add(field, "is %d bytes, over the limit of %d", len(s), max)
	}
}

// CheckMap checks every key (KeyBytes, required) and every value (max
// bytes, empty allowed) of m, a per-language text or another map of texts,
// with Check, in key order: a problem is named field.key, or field for a
// bad key.
func CheckMap(c *errs.Collector, field string, m map[string]string, max int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.TrimSpace(k) == "" || !Valid(k, KeyBytes) {
			c.Add(field, "has a key that is empty, not valid UTF-8, holds a NUL byte or is over %d bytes", KeyBytes)
			continue
		}
		Check(c, field+"."+k, m[k], false, max)
	}
}

// CheckList checks every item of list with Check (required, max bytes),
// naming a problem field[i], and the list's length (MaxList).
func CheckList(c *errs.Collector, field string, list []string, max int) {
	if len(list) > MaxList {
		c.Add(field, "has %d items, over the limit of %d", len(list), MaxList)
		return
	}
	for i, s := range list {
		Check(c, fmt.Sprintf("%s[%d]", field, i), s, true, max)
	}
}

// Valid reports whether s is text every store keeps: valid UTF-8 without a
// NUL byte, at most max bytes (max 0: no bound). An id a caller passes to
// Get, Update or Delete that is not Valid names no object.
func Valid(s string, max int) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && (max <= 0 || len(s) <= max)
}

// Email reports whether s is a plain mail address ("kim@example.com", no
// display name, no angle brackets) of at most AddressBytes.
func Email(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= AddressBytes
}

// CheckEmail records a problem on c unless s is a plain email address
// (Email).
func CheckEmail(c *errs.Collector, field, s string) {
	if !Email(s) {
		c.Add(field, "%q is not a plain email address", s)
	}
}

// Phone reports whether s is a phone number: 3 to 20 digits, with an
// optional leading +, and spaces, "-", "(", ")" and "." between them.
func Phone(s string) bool {
	d := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return d >= 3 && d <= 20
}

// PageLimit applies the default page size to *limit and records a problem
// on c (on field "limit") when it is out of 1..MaxPage.
func PageLimit(c *errs.Collector, limit *int) {
	if *limit == 0 {
		*limit = DefaultPage
	}
	if *limit < 0 || *limit > MaxPage {
		c.Add("limit", "must be between 1 and %d", MaxPage)
	}
}

// Suggest returns the one of names that name most likely means, for a
// "did you mean" hint: the same name in another case or with white space
// around it, else the closest name within two typos (one for a name of up
// to four letters), the first of names on a tie. ok is false when none is
// that close.
func Suggest(name string, names []string) (string, bool) {
	trimmed := strings.TrimSpace(name)
	for _, n := range names {
		if strings.EqualFold(trimmed, n) {
			return n, true
		}
	}
	want := []rune(strings.ToLower(trimmed))
	limit := 2
	if len(want) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, n := range names {
		if d := distance(want, []rune(strings.ToLower(n))); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best, best != ""
}

// distance is the Levenshtein distance of a and b: the fewest inserted,
// deleted or replaced runes that turn one into the other.
func distance(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Clean makes s text a store keeps (SEC-3) without refusing it, for text
// that must not be lost (a received mail): invalid bytes become U+FFFD, NUL
// bytes are dropped, and a text over max bytes (max 0: no bound) is cut at
// a character boundary. It reports whether it changed s.
func Clean(s string, max int) (string, bool) {
	out := strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if max > 0 && len(out) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return out, out != s
}
