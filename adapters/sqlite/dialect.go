package sqlite

import (
	"time"

	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// dialect is bun's SQLite dialect with two appenders changed:
//
//   - times are written in UTC with all six fractional digits
//     ("2006-01-02 15:04:05.000000+00:00"), so that text order is time
//     order in every comparison and index (bun trims trailing zeros);
//   - JSON is written as given, only its single quotes doubled: bun
//     v1.3.0 rewrites each `\u0000` of the marshalled JSON, which broke
//     texts holding the six characters \u0000 (SEC-3).
type dialect struct {
	*sqlitedialect.Dialect
}

func newDialect() *dialect { return &dialect{sqlitedialect.New()} }

// timeFormat is the stored form of a time.
const timeFormat = "2006-01-02 15:04:05.000000-07:00"

// AppendTime appends tm as a fixed-width UTC text literal.
func (d *dialect) AppendTime(b []byte, tm time.Time) []byte {
	b = append(b, '\'')
	b = tm.UTC().AppendFormat(b, timeFormat)
	return append(b, '\'')
}

// AppendJSON appends js, marshalled JSON, as a text literal.
func (d *dialect) AppendJSON(b, js []byte) []byte {
	b = append(b, '\'')
	for _, c := range js {
		if c == '\'' {
			b = append(b, '\'', '\'')
			continue
		}
		b = append(b, c)
	}
	return append(b, '\'')
}
