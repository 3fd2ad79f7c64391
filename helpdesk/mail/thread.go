package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

// ownDomain is the right-hand side of every Message-ID the helpdesk makes.
const ownDomain = "@deskkit"

// TicketRef is the id that names ticket ticketID in the References of
// every mail about it (MAIL-7).
func TicketRef(ticketID string) string { return "ticket-" + ticketID + ownDomain }

// OwnID is the Message-ID of mail uniq (an outbox message id) about ticket
// ticketID (MAIL-7): a reply that names it threads back into the ticket,
// and a mail that carries it as its own id is a loop (MAIL-4).
func OwnID(ticketID, uniq string) string { return "m-" + uniq + ".ticket-" + ticketID + ownDomain }

// IsOwn reports whether id is a Message-ID the helpdesk made (MAIL-4).
func IsOwn(id string) bool {
	return strings.HasSuffix(strings.Trim(strings.TrimSpace(id), "<>"), ownDomain)
}

// TicketOf returns the ticket id an id made by TicketRef or OwnID names.
func TicketOf(id string) (string, bool) {
	local, ok := strings.CutSuffix(strings.Trim(strings.TrimSpace(id), "<>"), ownDomain)
	if !ok {
		return "", false
	}
	if t, ok := strings.CutPrefix(local, "ticket-"); ok && t != "" {
		return t, true
	}
	if _, t, ok := strings.Cut(local, ".ticket-"); ok && t != "" && strings.HasPrefix(local, "m-") {
		return t, true
	}
	return "", false
}

var tokenPattern = regexp.MustCompile(`\[#([0-9]{1,18})\]`)

// Token is the ticket token the subject of every ticket mail carries.
func Token(number int64) string { return "[#" + strconv.FormatInt(number, 10) + "]" }

// SubjectToken returns the ticket number of the first ticket token
// ("[#1024]") in subject (MAIL-3).
func SubjectToken(subject string) (int64, bool) {
	m := tokenPattern.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// Key is the id m is deduplicated by in its mailbox (MAIL-3): its
// Message-ID, or for a mail without one a digest of its sender, date,
// subject and text, so that the same mail fetched again has the same key.
func Key(m Message) string {
	if id := strings.Trim(strings.TrimSpace(m.MessageID), "<>"); id != "" {
		return id
	}
	h := sha256.New()
	for _, s := range []string{m.From.Address, m.Date.UTC().String(), m.Subject, m.Text, m.HTML} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16]) + "@no-message-id"
}

// quoteStart matches the line that introduces quoted history in common
// mail clients (English and Korean).
var quoteStart = regexp.MustCompile(`(?i)^(-{2,}\s*original message\s*-{2,}|-{2,}\s*원본 메시지\s*-{2,}|on .+ wrote:|.+님이 작성:|.+작성:$|_{10,})\s*$`)

// TrimQuoted returns text without the quoted history a reply carries
// below its new part: from the first line that introduces a quote ("On …
// wrote:", "-----Original Message-----", "…님이 작성:") or the first of
// the trailing lines quoted with ">". A text that would be left empty is
// returned whole (MAIL-3).
func TrimQuoted(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i, l := range lines {
		if quoteStart.MatchString(strings.TrimSpace(l)) {
			cut = i
			break
		}
	}
	// trailing block of ">" lines (blank lines may sit between them)
	end := cut
	for end > 0 {
		l := strings.TrimSpace(lines[end-1])
		if l != "" && !strings.HasPrefix(l, ">") {
			break
		}
		end--
	}
	if end < cut {
		quoted := false
		for _, l := range lines[end:cut] {
			quoted = quoted || strings.HasPrefix(strings.TrimSpace(l), ">")
		}
		if quoted {
			cut = end
		}
	}
	out := strings.TrimRight(strings.Join(lines[:cut], "\n"), " \t\r\n")
	if strings.TrimSpace(out) == "" {
		return text
	}
	return out
}
