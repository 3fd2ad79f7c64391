package helpdesk

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// ExportFormat is the file format of a history export.
type ExportFormat string

// The export formats.
const (
	JSONLines ExportFormat = "jsonl" // one JSON object (a ticket.Change) per line
	CSV       ExportFormat = "csv"   // RFC 4180 with a header row
)

// csvHeader names the CSV columns of an export.
var csvHeader = []string{"id", "ticket_id", "at", "actor_kind", "actor_id", "event", "field", "from", "to"}

// ExportHistory writes the history rows matching f (one ticket, or the whole
// service in a period) to w in format, streaming them from the store as it
// reads them (TKT-4). It needs the export permission (AGT-4).
func (s *Session) ExportHistory(ctx context.Context, w io.Writer, format ExportFormat, f ticket.ChangeFilter) error {
	var write func(ticket.Change) error
	bw := bufio.NewWriterSize(w, 32<<10)
	switch format {
	case JSONLines:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(c ticket.Change) error { return enc.Encode(c) }
	case CSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		row := make([]string, len(csvHeader))
		write = func(c ticket.Change) error {
			row[0] = strconv.FormatInt(c.ID, 10)
			row[1] = c.TicketID
			row[2] = c.At.Format(time.RFC3339Nano)
			row[3] = string(c.ActorKind)
			row[4] = c.ActorID
			row[5] = string(c.Event)
			row[6] = c.Field
			row[7] = csvSafe(c.From)
			row[8] = csvSafe(c.To)
			if err := cw.Write(row); err != nil {
				return err
			}
			cw.Flush() // into bw; bw decides when to reach w
			return cw.Error()
		}
	default:
		return &ValidationError{Problems: []Problem{{Field: "format", Reason: fmt.Sprintf("unknown export format %q (jsonl, csv)", format)}}}
	}
	err := s.run(ctx, permExport, func(o *op) error {
		if f.TicketID != "" {
			if _, err := o.r.Tickets().Get(ctx, f.TicketID); err != nil {
				return err
			}
		}
		return o.r.Tickets().ScanChanges(ctx, f, write)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// csvSafe defuses spreadsheet formulas: a cell that starts with = + - @ or a
// control character gets a leading apostrophe (OWASP CSV injection).
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
