package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk/mail"
)

// mailRecipientRow is a row of mail_recipients (MAIL-9).
type mailRecipientRow struct {
	bun.BaseModel `bun:"table:mail_recipients"`

	ServiceID    string      `bun:"service_id,pk"`
	Address      string      `bun:"address,pk"`
	Sent         []time.Time `bun:"sent,type:jsonb"`
	BlockedUntil time.Time   `bun:"blocked_until,nullzero"`
	BlockReason  string      `bun:"block_reason"`
}

func (row *mailRecipientRow) recipient() mail.Recipient {
	rc := mail.Recipient{Address: row.Address, BlockReason: row.BlockReason}
	if !row.BlockedUntil.IsZero() {
		rc.BlockedUntil = row.BlockedUntil.UTC()
	}
	for _, t := range row.Sent {
		rc.Sent = append(rc.Sent, t.UTC())
	}
	return rc
}

// mailRecipientRepo is mail.RecipientRepository: a row per address,
// locked with FOR UPDATE (inserted first when missing).
type mailRecipientRepo repos

func (r repos) MailRecipients() mail.RecipientRepository { return mailRecipientRepo(r) }

// LockRecipient is one statement: an upsert that creates the row when
// missing and locks it either way (ON CONFLICT DO UPDATE takes the row
// lock), returning it.
func (r mailRecipientRepo) LockRecipient(ctx context.Context, address string) (mail.Recipient, error) {
	row := mailRecipientRow{ServiceID: r.sid, Address: address, Sent: []time.Time{}}
	err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, address) DO UPDATE").Set("address = EXCLUDED.address").
		Returning("*").Scan(ctx)
	if err != nil {
		return mail.Recipient{}, mapErr(err, name("mail recipient", address))
	}
	return row.recipient(), nil
}

func (r mailRecipientRepo) PutRecipient(ctx context.Context, rc mail.Recipient) error {
	row := mailRecipientRow{ServiceID: r.sid, Address: rc.Address, Sent: rc.Sent, BlockedUntil: rc.BlockedUntil, BlockReason: rc.BlockReason}
	if row.Sent == nil {
		row.Sent = []time.Time{}
	}
	_, err := r.tx.NewInsert().Model(&row).
		On("CONFLICT (service_id, address) DO UPDATE").
		Set("sent = EXCLUDED.sent, blocked_until = EXCLUDED.blocked_until, block_reason = EXCLUDED.block_reason").Exec(ctx)
	return mapErr(err, name("mail recipient", rc.Address))
}
