package template

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// The substitution codes of TPL-4, as written between #{ and }.
const (
	// CodeContent is the ticket's content in a reply template; in an
	// automatic mail (MAIL-6) the reply the mail carries.
	CodeContent = "content"
	// CodeTicketID is the number people see for the ticket (#Number).
	CodeTicketID = "ticketId"
	// CodeTitle is the ticket's title.
	CodeTitle = "title"
	// CodeCustomerName is the requester's name.
	CodeCustomerName = "customerName"
	// CodeAgentName is the name of the agent who sends the text.
	CodeAgentName = "agentName"
	// CodeIntakeType is the name of the ticket's intake category.
	CodeIntakeType = "intakeType"
	// FieldPrefix starts the code of a ticket field: #{field.KEY}.
	FieldPrefix = "field."
	// MaxFieldKeyBytes bounds the KEY of #{field.KEY}.
	MaxFieldKeyBytes = 64
)

// codes are the fixed codes, in the order of Values' fields.
var codes = [...]string{CodeContent, CodeTicketID, CodeTitle, CodeCustomerName, CodeAgentName, CodeIntakeType}

// Codes returns the fixed substitution codes (without #{field.KEY}).
func Codes() []string { return append([]string(nil), codes[:]...) }

// Values are what the codes of a text are replaced with, one field per
// code of Codes().
type Values struct {
	Content      string // #{content}
	TicketID     string // #{ticketId}
	Title        string // #{title}
	CustomerName string // #{customerName}
	AgentName    string // #{agentName}
	IntakeType   string // #{intakeType}
	// Fields are the ticket's field values by key, formatted as text; a
	// key without a value renders empty.
	Fields map[string]string
}

func (v *Values) get(k kind, key string) string {
	switch k {
	case kContent:
		return v.Content
	case kTicketID:
		return v.TicketID
	case kTitle:
		return v.Title
	case kCustomerName:
		return v.CustomerName
	case kAgentName:
		return v.AgentName
	case kIntakeType:
		return v.IntakeType
	case kField:
		return v.Fields[key]
	}
	return ""
}

// Target is where a rendered text goes; it decides how values are escaped.
// The template's own text is taken as written for the target (an HTML
// template is HTML, a JSON template is JSON): only values are escaped.
type Target int

// The targets.
const (
	// Text leaves values as they are.
	Text Target = iota
	// HTML escapes values for HTML text and attribute values (&, <, >, ',
	// ").
	HTML
	// JSON escapes values for the inside of a JSON string literal, as
	// encoding/json does (also <, >, & and U+2028, U+2029, so the JSON is
	// safe in HTML too; invalid UTF-8 becomes U+FFFD).
	JSON
)

// String returns the target's name.
func (t Target) String() string {
	switch t {
	case Text:
		return "text"
	case HTML:
		return "html"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// kind is what a part of a compiled text is.
type kind uint8

const (
	kLiteral kind = iota
	kContent
	kTicketID
	kTitle
	kCustomerName
	kAgentName
	kIntakeType
	kField
)

// part is a literal or a code of a compiled text.
type part struct {
	kind kind
	text string // the literal, or the field key
}

// Compiled is a parsed text: render it as often as needed, from any number
// of goroutines. The zero value renders the empty text.
type Compiled struct {
	src    string
	parts  []part
	litLen int // bytes of literal text
}

// CodeError is one bad code of a text.
type CodeError struct {
	// Offset is the byte offset of the code's "#{" in the text.
	Offset int
	// Code is what stands between the braces, or after "#{" (at most 40
	// bytes) when there is no closing brace.
	Code string
	// Reason says what is wrong, for a person to read.
	Reason string
}

// String describes the problem with its position.
func (e CodeError) String() string {
	return fmt.Sprintf("code %q at byte %d: %s", e.Code, e.Offset, e.Reason)
}

// ParseError lists every bad code of a text (TPL-4). It matches ErrInvalid.
type ParseError struct {
	Codes []CodeError
}

// Error implements error.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("invalid: ")
	for i, c := range e.Codes {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ParseError) Is(target error) bool { return target == errs.ErrInvalid }

// maxCodeBytes bounds what may stand between the braces.
const maxCodeBytes = len(FieldPrefix) + MaxFieldKeyBytes

// Parse compiles text. Codes are written #{name}: a name of Codes() or
// field.KEY, where KEY is letters, digits, '_', '-' and '.' (at most
// MaxFieldKeyBytes). ##{ stands for a literal #{. A code that is unknown,
// malformed or not closed on its line is refused: the *ParseError names
// each one with its byte offset.
func Parse(text string) (*Compiled, error) {
	c := &Compiled{src: text}
	var bad []CodeError
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			c.parts = append(c.parts, part{kind: kLiteral, text: lit.String()})
			c.litLen += lit.Len()
			lit.Reset()
		}
	}
	i := 0
	for i < len(text) {
		j := strings.IndexByte(text[i:], '#')
		if j < 0 {
			lit.WriteString(text[i:])
			break
		}
		j += i
		lit.WriteString(text[i:j])
		switch {
		case strings.HasPrefix(text[j:], "##{"): // escaped
			lit.WriteString("#{")
			i = j + 3
			continue
		case !strings.HasPrefix(text[j:], "#{"):
			lit.WriteByte('#')
			i = j + 1
			continue
		}
		body := text[j+2:]
		end := strings.IndexByte(body, '}')
		if nl := strings.IndexAny(body, "\r\n"); end < 0 || (nl >= 0 && nl < end) {
			rest := body
			if nl >= 0 {
				rest = rest[:nl]
			}
			bad = append(bad, CodeError{Offset: j, Code: clip(rest, 40), Reason: "no closing } on its line (write ##{ for a literal #{)"})
			// Go on after the "#{" to find the other problems.
			i = j + 2
			continue
		}
		name := body[:end]
		p, reason := resolve(name)
		if reason != "" {
			bad = append(bad, CodeError{Offset: j, Code: clip(name, maxCodeBytes), Reason: reason})
		} else {
			flush()
			c.parts = append(c.parts, p)
		}
		i = j + 2 + end + 1
	}
	flush()
	if len(bad) > 0 {
		return nil, &ParseError{Codes: bad}
	}
	return c, nil
}

// MustParse is Parse for texts known to be good; it panics on an error.
func MustParse(text string) *Compiled {
	c, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return c
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// resolve returns the part of a code name, or why it is refused.
func resolve(name string) (part, string) {
	for i, c := range codes {
		if name == c {
			return part{kind: kContent + kind(i)}, ""
		}
	}
	if key, ok := strings.CutPrefix(name, FieldPrefix); ok {
		switch {
		case key == "":
			return part{}, "field code without a key"
		case len(key) > MaxFieldKeyBytes:
			return part{}, fmt.Sprintf("field key over %d bytes", MaxFieldKeyBytes)
		case !fieldKey(key):
			return part{}, "a field key is a-z first, then a-z, 0-9 and '_' (as field keys are made)"
		}
		return part{kind: kField, text: key}, ""
	}
	if c, ok := text.Suggest(name, codes[:]); ok {
		return part{}, fmt.Sprintf("unknown code (did you mean #{%s}?)", c)
	}
	return part{}, "unknown code"
}

// Source returns the text c was parsed from.
func (c *Compiled) Source() string { return c.src }

// Uses reports whether the text has the code (a name of Codes(), or
// field.KEY).
func (c *Compiled) Uses(code string) bool {
	p, reason := resolve(code)
	if reason != "" {
		return false
	}
	for _, q := range c.parts {
		if q == p {
			return true
		}
	}
	return false
}

// Used returns the codes of the text (names as written between the
// braces), each once, in the order they first appear.
func (c *Compiled) Used() []string {
	var out []string
	for _, p := range c.parts {
		var name string
		switch p.kind {
		case kLiteral:
			continue
		case kField:
			name = FieldPrefix + p.text
		default:
			name = codes[p.kind-kContent]
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// Render returns the text with every code replaced by its value, escaped
// for target. Values are not scanned for codes again.
func (c *Compiled) Render(v Values, target Target) string {
	if len(c.parts) == 1 && c.parts[0].kind == kLiteral {
		return c.parts[0].text
	}
	n := c.litLen
	for _, p := range c.parts {
		if p.kind != kLiteral {
			n += len(v.get(p.kind, p.text))
		}
	}
	var b strings.Builder
	b.Grow(n + n/8)
	for _, p := range c.parts {
		if p.kind == kLiteral {
			b.WriteString(p.text)
			continue
		}
		s := v.get(p.kind, p.text)
		switch target {
		case HTML:
			writeHTML(&b, s)
		case JSON:
			writeJSON(&b, s)
		default:
			b.WriteString(s)
		}
	}
	return b.String()
}

// writeHTML writes s escaped as html.EscapeString does, without copying
// when there is nothing to escape.
func writeHTML(b *strings.Builder, s string) {
	if strings.ContainsAny(s, `&'<>"`) {
		s = html.EscapeString(s)
	}
	b.WriteString(s)
}

const hexDigits = "0123456789abcdef"

// writeJSON writes s escaped for the inside of a JSON string, as
// encoding/json does with HTML escaping on.
func writeJSON(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
}

// fieldKey reports whether key has the form of a field key (the field
// package's rule: ^[a-z][a-z0-9_]{0,63}$).
func fieldKey(key string) bool {
	if key == "" || len(key) > MaxFieldKeyBytes || key[0] < 'a' || key[0] > 'z' {
		return false
	}
	for i := 1; i < len(key); i++ {
		if c := key[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
