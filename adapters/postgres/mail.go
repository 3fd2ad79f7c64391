package postgres

import (
	"context"
	"database/sql"
	"errors"
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
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND message_id IN (?) AND ticket_id <> ''", r.sid, bun.List(ids)).
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

// syncRow is a row of mail_sync (MAIL-10).
type syncRow struct {
	bun.BaseModel `bun:"table:mail_sync"`

	ServiceID   string    `bun:"service_id,pk"`
	MailboxID   string    `bun:"mailbox_id,pk"`
	UIDValidity int64     `bun:"uid_validity"`
	LastUID     int64     `bun:"last_uid"`
	Owner       string    `bun:"owner"`
	LeaseUntil  time.Time `bun:"lease_until,nullzero"`
	LastSyncAt  time.Time `bun:"last_sync_at,nullzero"`
	LastError   string    `bun:"last_error"`
}

func (row syncRow) sync() mail.Sync {
	s := mail.Sync{MailboxID: row.MailboxID, UIDValidity: uint32(row.UIDValidity), LastUID: uint32(row.LastUID),
		Owner: row.Owner, LastError: row.LastError}
	if !row.LeaseUntil.IsZero() {
		s.LeaseUntil = row.LeaseUntil.UTC()
	}
	if !row.LastSyncAt.IsZero() {
		s.LastSyncAt = row.LastSyncAt.UTC()
	}
	return s
}

// LockSync locks the mailbox's row until the transaction ends; the first
// call makes it (a concurrent first call waits on the insert, then finds
// the row).
func (r mailRepo) LockSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	row := syncRow{ServiceID: r.sid, MailboxID: mailboxID}
	lock := func() error { return r.tx.NewSelect().Model(&row).WherePK().For("UPDATE").Scan(ctx) }
	err := lock()
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id) DO NOTHING").Exec(ctx); err != nil {
			return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID))
		}
		err = lock()
	}
	if err != nil {
		return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID))
	}
	return row.sync(), nil
}

func (r mailRepo) GetSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	row := syncRow{ServiceID: r.sid, MailboxID: mailboxID}
	if err := r.tx.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID))
	}
	return row.sync(), nil
}

func (r mailRepo) PutSync(ctx context.Context, s mail.Sync) error {
	row := syncRow{ServiceID: r.sid, MailboxID: s.MailboxID, UIDValidity: int64(s.UIDValidity), LastUID: int64(s.LastUID),
		Owner: s.Owner, LeaseUntil: s.LeaseUntil, LastSyncAt: s.LastSyncAt, LastError: s.LastError}
	_, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id) DO UPDATE").
		Set("uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, last_sync_at = EXCLUDED.last_sync_at, last_error = EXCLUDED.last_error").
		Exec(ctx)
	return mapErr(err, name("mailbox sync state", s.MailboxID))
}

// mailboxRow is a row of mail_mailboxes (MAIL-1, MAIL-2).
type mailboxRow struct {
	bun.BaseModel `bun:"table:mail_mailboxes"`

	ServiceID string    `bun:"service_id,pk"`
	MailboxID string    `bun:"mailbox_id,pk"`
	Address   string    `bun:"address"`
	Host      string    `bun:"host"`
	Port      int       `bun:"port"`
	TLS       string    `bun:"tls"`
	Username  string    `bun:"username"`
	Secret    string    `bun:"secret"`
	Folder    string    `bun:"folder"`
	Enabled   bool      `bun:"enabled"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func (row mailboxRow) mailbox() mail.Mailbox {
	return mail.Mailbox{ID: row.MailboxID, Address: row.Address, Host: row.Host, Port: row.Port, TLS: row.TLS, User: row.Username,
		Secret: row.Secret, Folder: row.Folder, Enabled: row.Enabled, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
}

func (r mailRepo) PutMailbox(ctx context.Context, m mail.Mailbox) error {
	row := mailboxRow{ServiceID: r.sid, MailboxID: m.ID, Address: m.Address, Host: m.Host, Port: m.Port, TLS: m.TLS, Username: m.User,
		Secret: m.Secret, Folder: m.Folder, Enabled: m.Enabled, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	_, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id) DO UPDATE").
		Set("address = EXCLUDED.address, host = EXCLUDED.host, port = EXCLUDED.port, tls = EXCLUDED.tls, username = EXCLUDED.username, secret = EXCLUDED.secret, folder = EXCLUDED.folder, enabled = EXCLUDED.enabled, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return mapErr(err, name("mailbox", m.ID))
}

func (r mailRepo) GetMailbox(ctx context.Context, id string) (mail.Mailbox, error) {
	row := mailboxRow{ServiceID: r.sid, MailboxID: id}
	if err := r.tx.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.Mailbox{}, mapErr(err, name("mailbox", id))
	}
	return row.mailbox(), nil
}

func (r mailRepo) Mailboxes(ctx context.Context) ([]mail.Mailbox, error) {
	var rows []mailboxRow
	if err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr(`mailbox_id COLLATE "C"`).Scan(ctx); err != nil {
		return nil, mapErr(err, "mailboxes")
	}
	out := make([]mail.Mailbox, len(rows))
	for i := range rows {
		out[i] = rows[i].mailbox()
	}
	return out, nil
}

func (r mailRepo) DeleteMailbox(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model((*mailboxRow)(nil)).Where("service_id = ? AND mailbox_id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, name("mailbox", id))
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr(err, name("mailbox", id))
	} else if n == 0 {
		return errs.NotFound("mailbox", id)
	}
	return nil
}

// fileRow is a row of mail_files (MAIL-8).
type fileRow struct {
	bun.BaseModel `bun:"table:mail_files"`

	ServiceID   string    `bun:"service_id,pk"`
	FileID      string    `bun:"file_id,pk"`
	TicketID    string    `bun:"ticket_id"`
	CommentID   string    `bun:"comment_id"`
	MailboxID   string    `bun:"mailbox_id"`
	MessageID   string    `bun:"message_id"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	Kept        bool      `bun:"kept"`
	Content     []byte    `bun:"content"`
	CreatedAt   time.Time `bun:"created_at"`
}

func (row fileRow) file() mail.File {
	return mail.File{ID: row.FileID, TicketID: row.TicketID, CommentID: row.CommentID, MailboxID: row.MailboxID, MessageID: row.MessageID,
		Name: row.Name, ContentType: row.ContentType, Size: row.Size, Kept: row.Kept, Content: row.Content, CreatedAt: row.CreatedAt.UTC()}
}

func (r mailRepo) AddFile(ctx context.Context, f mail.File) error {
	row := fileRow{ServiceID: r.sid, FileID: f.ID, TicketID: f.TicketID, CommentID: f.CommentID, MailboxID: f.MailboxID, MessageID: f.MessageID,
		Name: f.Name, ContentType: f.ContentType, Size: f.Size, Kept: f.Kept, Content: f.Content, CreatedAt: f.CreatedAt}
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("file", f.ID))
}

func (r mailRepo) Files(ctx context.Context, ticketID string) ([]mail.File, error) {
	var rows []fileRow
	err := r.tx.NewSelect().Model(&rows).ExcludeColumn("content").Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).OrderExpr("seq").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "files")
	}
	out := make([]mail.File, len(rows))
	for i := range rows {
		out[i] = rows[i].file()
	}
	return out, nil
}

func (r mailRepo) GetFile(ctx context.Context, id string) (mail.File, error) {
	row := fileRow{ServiceID: r.sid, FileID: id}
	if err := r.tx.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.File{}, mapErr(err, name("file", id))
	}
	return row.file(), nil
}
