package helpdesk

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
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
// service in a period) to w in format, streaming them page by page from the
// store (TKT-4): memory use is bounded and no transaction stays open while w
// is written. Rows committed while an export runs may or may not be
// included. It needs the export permission (AGT-4).
func (h Tickets) ExportHistory(ctx context.Context, w io.Writer, format ExportFormat, f ticket.ChangeFilter) error {
	if !text.Valid(f.TicketID, text.KeyBytes) { // SEC-3
		var c errs.Collector
		text.Check(&c, "ticket_id", f.TicketID, false, text.KeyBytes)
		return c.Err()
	}
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
	// Pages of rows are read in short transactions and written between
	// them: a slow reader never holds a transaction (or the memory store's
	// lock) open, and memory use stays bounded by the page.
	page := make([]ticket.Change, 0, exportPage)
	for first := true; ; first = false {
		err := h.s.run(ctx, "Tickets.ExportHistory", permExport, func(o *op) error {
			page = page[:0] // a run the store started over (Store.Tx) kept nothing
			if first && f.TicketID != "" {
				if _, err := o.r.Tickets().Get(ctx, f.TicketID); err != nil {
					return err
				}
			}
			err := o.r.Tickets().ScanChanges(ctx, f, func(c ticket.Change) error {
				page = append(page, c)
				if len(page) == exportPage {
					return errPageFull
				}
				return nil
			})
			if errors.Is(err, errPageFull) {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := write(c); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return bw.Flush()
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// exportPage is how many history rows an export reads per transaction.
const exportPage = 1000

var errPageFull = errors.New("page full")

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
