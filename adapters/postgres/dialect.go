package postgres

import (
	"github.com/uptrace/bun/dialect/pgdialect"
)

// dialect is bun's PostgreSQL dialect with a JSON appender that keeps every
// text as given. bun v1.3.0's appender (schema.BaseDialect.AppendJSON)
// rewrites each `\u0000` in the marshalled JSON to `\\u0000` and drops NUL
// bytes; on text holding the six characters \u0000 (marshalled as
// `\\u0000`) that made `\\\u0000` — a backslash and an escaped NUL, which
// jsonb refuses ("unsupported Unicode escape sequence") — so a trigger
// whose mail text held them broke every later write of its row, and a text
// with a real NUL was stored as the six characters instead (SEC-3).
type dialect struct {
	*pgdialect.Dialect
}

func newDialect() *dialect { return &dialect{pgdialect.New()} }

// AppendJSON appends js, marshalled JSON, as an escape string literal
// (E'...'): single quotes and backslashes are doubled, so the literal reads
// back as js whatever standard_conforming_strings says. JSON from
// encoding/json never holds a raw NUL byte; an escaped NUL (`\u0000`, from a
// Go string holding one) reaches PostgreSQL unchanged and is refused there,
// never stored as something else.
func (d *dialect) AppendJSON(b, js []byte) []byte {
	b = append(b, 'E', '\'')
	for _, c := range js {
		switch c {
		case '\'':
			b = append(b, '\'', '\'')
		case '\\':
			b = append(b, '\\', '\\')
		default:
			b = append(b, c)
		}
	}
	return append(b, '\'')
}
