package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
)

// mailRow is a row of mail_messages (MAIL-3, MAIL-10).
type mailRow struct {
	bun.BaseModel `bun:"table:mail_messages"`

	ServiceID  string    `bun:"service_id,pk"`
	MailboxID  string    `bun:"mailbox_id,pk"`
	MessageID  string    `bun:"message_id,pk"`
	TicketID   string    `bun:"ticket_id"`
	CommentID  string    `bun:"comment_id"`
	Outcome    string    `bun:"outcome"`
	Reason     string    `bun:"reason"`
	Original   string    `bun:"original"`
	ReceivedAt time.Time `bun:"received_at"`
}

func (row mailRow) record() mail.Record {
	return mail.Record{MailboxID: row.MailboxID, MessageID: row.MessageID, TicketID: row.TicketID, CommentID: row.CommentID,
		Outcome: mail.Outcome(row.Outcome), Reason: row.Reason, Original: row.Original, ReceivedAt: row.ReceivedAt.UTC()}
}

type mailRepo repos

func (r repos) Mail() mail.Repository { return mailRepo(r) }

// Add inserts the record unless the mailbox has it: ON CONFLICT DO NOTHING
// waits for a concurrent transaction adding the same message.
func (r mailRepo) Add(ctx context.Context, rec mail.Record) error {
	row := mailRow{ServiceID: r.sid, MailboxID: rec.MailboxID, MessageID: rec.MessageID, TicketID: rec.TicketID,
		CommentID: rec.CommentID, Outcome: string(rec.Outcome), Reason: rec.Reason, Original: rec.Original, ReceivedAt: rec.ReceivedAt}
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id, message_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("mail message", rec.MessageID))
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr(err, name("mail message", rec.MessageID))
	} else if n == 0 {
		return errs.New(helpdesk.ErrConflict, "mailbox %q has message %q", rec.MailboxID, rec.MessageID)
	}
	return nil
}

func (r mailRepo) Get(ctx context.Context, mailboxID, messageID string) (mail.Record, error) {
	var row mailRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND mailbox_id = ? AND message_id = ?", r.sid, mailboxID, messageID).Scan(ctx)
	if err != nil {
		return mail.Record{}, mapErr(err, name("mail message", messageID))
	}
	return row.record(), nil
}

func (r mailRepo) Find(ctx context.Context, ids []string) (mail.Record, error) {
	if len(ids) == 0 {
		return mail.Record{}, errs.New(helpdesk.ErrNotFound, "no mail message with one of %d ids", len(ids))
	}
	var row mailRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND message_id IN (?) AND ticket_id <> ''", r.sid, bun.In(ids)).
		OrderExpr("seq DESC").Limit(1).Scan(ctx)
	if err != nil {
		return mail.Record{}, mapErr(err, "mail message")
	}
	return row.record(), nil
}

func (r mailRepo) ByTicket(ctx context.Context, ticketID string) ([]mail.Record, error) {
	var rows []mailRow
	if err := r.tx.NewSelect().Model(&rows).Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).OrderExpr("seq").Scan(ctx); err != nil {
		return nil, mapErr(err, "mail messages")
	}
	out := make([]mail.Record, len(rows))
	for i := range rows {
		out[i] = rows[i].record()
	}
	return out, nil
}
