package sqlite

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
)

// mailRecipientRow is a row of mail_recipients (MAIL-9).
type mailRecipientRow struct {
	bun.BaseModel `bun:"table:mail_recipients"`

	ServiceID    string      `bun:"service_id,pk"`
	Address      string      `bun:"address,pk"`
	Sent         []time.Time `bun:"sent,type:json"`
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

// mailRecipientRepo is mail.RecipientRepository: a row per address; the
// lock is the file's write lock.
type mailRecipientRepo repos

func (r repos) MailRecipients() mail.RecipientRepository { return mailRecipientRepo(r) }

func (r mailRecipientRepo) LockRecipient(ctx context.Context, address string) (mail.Recipient, error) {
	if err := repos(r).lock(ctx); err != nil {
		return mail.Recipient{}, err
	}
	var rows []mailRecipientRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND address = ?", r.sid, address).Scan(ctx); err != nil {
		return mail.Recipient{}, mapErr(err, name("mail recipient", address))
	}
	if len(rows) > 0 {
		return rows[0].recipient(), nil
	}
	return mail.Recipient{Address: address}, nil
}

func (r mailRecipientRepo) PutRecipient(ctx context.Context, rc mail.Recipient) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := mailRecipientRow{ServiceID: r.sid, Address: rc.Address, Sent: rc.Sent, BlockedUntil: rc.BlockedUntil, BlockReason: rc.BlockReason}
	if row.Sent == nil {
		row.Sent = []time.Time{}
	}
	_, err := r.db.NewInsert().Model(&row).
		On("CONFLICT (service_id, address) DO UPDATE").
		Set("sent = EXCLUDED.sent, blocked_until = EXCLUDED.blocked_until, block_reason = EXCLUDED.block_reason").Exec(ctx)
	return mapErr(err, name("mail recipient", rc.Address), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}
