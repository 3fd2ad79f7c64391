package ticket_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{
		"", "n", "n0", "n1", "nz", "n10", "n-1", "n+1", "N1", "x1", "nZZ",
		"n1y2p0ij32e8e7", "n1y2p0ij32e8e8", // MaxInt64 and one past it
		"n\xff", "n 1", "n_1", "n0x1f",
		ticket.EncodeCursor(1), ticket.EncodeCursor(math.MaxInt64),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ticket.DecodeCursor(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("DecodeCursor(%q) = %d with error %v; want 0 on error", s, n, err)
			}
			if !strings.Contains(err.Error(), "malformed cursor") {
				t.Fatalf("DecodeCursor(%q): unexpected error text %q", s, err)
			}
			return
		}
		if n <= 0 {
			t.Fatalf("DecodeCursor(%q) = %d; want > 0", s, n)
		}
		if !strings.HasPrefix(s, "n") {
			t.Fatalf("DecodeCursor(%q) accepted a cursor without the n prefix", s)
		}
		enc := ticket.EncodeCursor(n)
		back, err := ticket.DecodeCursor(enc)
		if err != nil {
			t.Fatalf("DecodeCursor(EncodeCursor(%d) = %q): %v", n, enc, err)
		}
		if back != n {
			t.Fatalf("DecodeCursor(EncodeCursor(%d)) = %d", n, back)
		}
		// A Filter carrying the cursor normalises to the same number.
		fl := ticket.Filter{Cursor: s}
		before, err := fl.Normalize()
		if err != nil || before != n {
			t.Fatalf("Filter{Cursor: %q}.Normalize() = %d, %v; want %d, nil", s, before, err, n)
		}
	})
}

// fuzzLimits are small so the fuzzer reaches the over-limit paths easily.
var fuzzLimits = ticket.Limits{MaxTitleBytes: 64, MaxContentBytes: 256}

// fuzzTextOK is the independent oracle for title and content.
func fuzzTextOK(s string, max int) bool {
	return strings.TrimSpace(s) != "" && fuzzCleanOK(s, max)
}

// fuzzCleanOK is the oracle for any stored text: valid UTF-8, no NUL byte,
// at most max bytes.
func fuzzCleanOK(s string, max int) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00") && len(s) <= max
}

func FuzzValidate(f *testing.F) {
	f.Add("Cannot log in", "My password is rejected.", "vip", "open", "normal", "email")
	f.Add("", "", "", "", "", "")
	f.Add("   ", "\t\n", " ", "new", "low", "help_center")
	f.Add("\xff", "content", "tag", "closed", "urgent", "api")
	f.Add("title", "\xc3\x28", "\xfe", "solved", "high", "agent")
	f.Add(strings.Repeat("a", 64), strings.Repeat("b", 256), strings.Repeat("t", 100), "pending", "high", "chat")
	f.Add(strings.Repeat("a", 65), strings.Repeat("b", 257), strings.Repeat("t", 101), "archived", "critical", "sms")
	f.Add("가나다", "내용", "태그", "Open", "NORMAL", "phone")
	f.Add("\u00a0title\u2003", "\u3000", "x", "new", "low", "email")
	f.Add("ti\x00tle", "con\x00tent", "t\x00g", "new", "low", "email")

	f.Fuzz(func(t *testing.T, title, content, tag, status, priority, channel string) {
		tk := ticket.Ticket{
			Title:          title,
			Content:        content,
			Tags:           []string{tag},
			Status:         ticket.Status(status),
			Priority:       ticket.Priority(priority),
			Channel:        ticket.Channel(channel),
			CustomerFields: ticket.Fields{tag: title},
		}
		err := tk.Validate(fuzzLimits)

		bad := map[string]bool{
			"title":    !fuzzTextOK(title, fuzzLimits.MaxTitleBytes),
			"content":  !fuzzTextOK(content, fuzzLimits.MaxContentBytes),
			"status":   !oneOf(status, "new", "open", "pending", "solved", "closed"),
			"priority": !oneOf(priority, "low", "normal", "high", "urgent"),
			"channel":  !oneOf(channel, "help_center", "email", "phone", "chat", "api", "agent"),
			"tags":     !fuzzCleanOK(tag, 100),
			// the tag is also a field key (required, ≤ 100 bytes) holding
			// the title as its value
			"customer_fields." + tag: strings.TrimSpace(tag) == "" || !fuzzCleanOK(tag, 100) || !fuzzCleanOK(title, ticket.MaxFieldValueBytes),
		}
		anyBad := false
		for _, b := range bad {
			anyBad = anyBad || b
		}

		if err == nil {
			if anyBad {
				t.Fatalf("Validate returned nil for a bad ticket: %v", bad)
			}
			return
		}
		var ve *errs.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("Validate returned %T (%v); want *errs.ValidationError", err, err)
		}
		if !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("Validate error does not match errs.ErrInvalid: %v", err)
		}
		if !anyBad {
			t.Fatalf("Validate rejected a good ticket: %v", err)
		}
		for field, isBad := range bad {
			if ve.Has(field) != isBad {
				t.Fatalf("field %s: bad=%v but reported=%v (%v)", field, isBad, ve.Has(field), ve.Problems)
			}
		}
		for _, p := range ve.Problems {
			if _, known := bad[p.Field]; !known {
				t.Fatalf("unexpected problem field %q: %v", p.Field, ve.Problems)
			}
		}
		_ = err.Error() // rendering the message must not panic either
	})
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
