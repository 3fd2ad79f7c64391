package sqlite

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
)

// mailRepo is mail.Repository: received mail in mail_messages, IMAP sync
// states in mail_sync, mailboxes in mail_mailboxes and attachments in
// mail_files (MAIL-1..3, MAIL-8, MAIL-10). It checks no rule: the primary
// keys turn a taken (mailbox, Message-ID) or file id into ErrConflict, the
// foreign key to services an unknown service into ErrNotFound.
type mailRepo repos

func (r repos) Mail() mail.Repository { return mailRepo(r) }

// nextSeq is the seq of a new row of the table named by ?0 for service ?1:
// one more than the service's highest. The transaction is the file's one
// writer, so seq orders the rows as they were added.
const nextSeq = `(SELECT coalesce(max(seq), 0) + 1 FROM ?0 WHERE service_id = ?1)`

// serviceKey words a write for an unknown service as the memory store
// does.
func (r mailRepo) serviceKey() key {
	return key{foreignKey, func() error { return errs.NotFound("service", r.sid) }}
}

// mailRow is a row of mail_messages (MAIL-3, MAIL-10).
type mailRow struct {
	bun.BaseModel `bun:"table:mail_messages"`

	ServiceID  string    `bun:"service_id,pk"`
	MailboxID  string    `bun:"mailbox_id,pk"`
	MessageID  string    `bun:"message_id,pk"`
	Seq        int64     `bun:"seq"`
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

// Add inserts the record with the next seq; the primary key refuses a
// message the mailbox has.
func (r mailRepo) Add(ctx context.Context, rec mail.Record) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := mailRow{ServiceID: r.sid, MailboxID: rec.MailboxID, MessageID: rec.MessageID, TicketID: rec.TicketID,
		CommentID: rec.CommentID, Outcome: string(rec.Outcome), Reason: rec.Reason, Original: rec.Original, ReceivedAt: rec.ReceivedAt}
	_, err := r.db.NewInsert().Model(&row).Value("seq", nextSeq, bun.Ident("mail_messages"), r.sid).Exec(ctx)
	return mapErr(err, name("mail message", rec.MessageID),
		key{"mail_messages.service_id, mail_messages.mailbox_id, mail_messages.message_id", func() error {
			return errs.New(helpdesk.ErrConflict, "mailbox %q has message %q", rec.MailboxID, rec.MessageID)
		}},
		r.serviceKey())
}

func (r mailRepo) Get(ctx context.Context, mailboxID, messageID string) (mail.Record, error) {
	var row mailRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND mailbox_id = ? AND message_id = ?", r.sid, mailboxID, messageID).Scan(ctx)
	if err != nil {
		return mail.Record{}, mapErr(err, name("mail message", messageID))
	}
	return row.record(), nil
}

func (r mailRepo) Find(ctx context.Context, ids []string) (mail.Record, error) {
	notFound := errs.New(helpdesk.ErrNotFound, "no mail message with one of %d ids", len(ids))
	if len(ids) == 0 {
		return mail.Record{}, notFound
	}
	var rows []mailRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND message_id IN (?) AND ticket_id <> ''", r.sid, bun.List(ids)).
		OrderExpr("seq DESC").Limit(1).Scan(ctx)
	if err != nil {
		return mail.Record{}, mapErr(err, "mail messages")
	}
	if len(rows) == 0 {
		return mail.Record{}, notFound
	}
	return rows[0].record(), nil
}

func (r mailRepo) ByTicket(ctx context.Context, ticketID string) ([]mail.Record, error) {
	var rows []mailRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).OrderExpr("seq").Scan(ctx); err != nil {
		return nil, mapErr(err, "mail messages")
	}
	var out []mail.Record
	for i := range rows {
		out = append(out, rows[i].record())
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

// LockSync makes the transaction the file's writer (the lock), then reads
// the state, storing a zero one on first use.
func (r mailRepo) LockSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	if err := repos(r).lock(ctx); err != nil {
		return mail.Sync{}, err
	}
	var rows []syncRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND mailbox_id = ?", r.sid, mailboxID).Scan(ctx); err != nil {
		return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID))
	}
	if len(rows) > 0 {
		return rows[0].sync(), nil
	}
	row := syncRow{ServiceID: r.sid, MailboxID: mailboxID}
	if _, err := r.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID), r.serviceKey())
	}
	return row.sync(), nil
}

func (r mailRepo) GetSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	row := syncRow{ServiceID: r.sid, MailboxID: mailboxID}
	if err := r.db.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.Sync{}, mapErr(err, name("mailbox sync state", mailboxID))
	}
	return row.sync(), nil
}

func (r mailRepo) PutSync(ctx context.Context, s mail.Sync) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := syncRow{ServiceID: r.sid, MailboxID: s.MailboxID, UIDValidity: int64(s.UIDValidity), LastUID: int64(s.LastUID),
		Owner: s.Owner, LeaseUntil: s.LeaseUntil, LastSyncAt: s.LastSyncAt, LastError: s.LastError}
	_, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id) DO UPDATE").
		Set("uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, last_sync_at = EXCLUDED.last_sync_at, last_error = EXCLUDED.last_error").
		Exec(ctx)
	return mapErr(err, name("mailbox sync state", s.MailboxID), r.serviceKey())
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := mailboxRow{ServiceID: r.sid, MailboxID: m.ID, Address: m.Address, Host: m.Host, Port: m.Port, TLS: m.TLS, Username: m.User,
		Secret: m.Secret, Folder: m.Folder, Enabled: m.Enabled, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	_, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, mailbox_id) DO UPDATE").
		Set("address = EXCLUDED.address, host = EXCLUDED.host, port = EXCLUDED.port, tls = EXCLUDED.tls, username = EXCLUDED.username, secret = EXCLUDED.secret, folder = EXCLUDED.folder, enabled = EXCLUDED.enabled, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return mapErr(err, name("mailbox", m.ID), r.serviceKey())
}

func (r mailRepo) GetMailbox(ctx context.Context, id string) (mail.Mailbox, error) {
	row := mailboxRow{ServiceID: r.sid, MailboxID: id}
	if err := r.db.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.Mailbox{}, mapErr(err, name("mailbox", id))
	}
	return row.mailbox(), nil
}

// Mailboxes lists by id in byte order (SQLite's BINARY collation).
func (r mailRepo) Mailboxes(ctx context.Context) ([]mail.Mailbox, error) {
	var rows []mailboxRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("mailbox_id").Scan(ctx); err != nil {
		return nil, mapErr(err, "mailboxes")
	}
	out := make([]mail.Mailbox, len(rows))
	for i := range rows {
		out[i] = rows[i].mailbox()
	}
	return out, nil
}

func (r mailRepo) DeleteMailbox(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*mailboxRow)(nil)).Where("service_id = ? AND mailbox_id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, name("mailbox", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("mailbox", id)
	}
	return nil
}

// fileRow is a row of mail_files (MAIL-8).
type fileRow struct {
	bun.BaseModel `bun:"table:mail_files"`

	ServiceID   string    `bun:"service_id,pk"`
	FileID      string    `bun:"file_id,pk"`
	Seq         int64     `bun:"seq"`
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

// AddFile inserts the file with the next seq; the primary key refuses a
// taken id.
func (r mailRepo) AddFile(ctx context.Context, f mail.File) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := fileRow{ServiceID: r.sid, FileID: f.ID, TicketID: f.TicketID, CommentID: f.CommentID, MailboxID: f.MailboxID, MessageID: f.MessageID,
		Name: f.Name, ContentType: f.ContentType, Size: f.Size, Kept: f.Kept, Content: f.Content, CreatedAt: f.CreatedAt}
	_, err := r.db.NewInsert().Model(&row).Value("seq", nextSeq, bun.Ident("mail_files"), r.sid).Exec(ctx)
	return mapErr(err, name("file", f.ID),
		key{"mail_files.service_id, mail_files.file_id", func() error { return errs.New(helpdesk.ErrConflict, "file %q exists", f.ID) }},
		r.serviceKey())
}

func (r mailRepo) Files(ctx context.Context, ticketID string) ([]mail.File, error) {
	var rows []fileRow
	err := r.db.NewSelect().Model(&rows).ExcludeColumn("content").Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).OrderExpr("seq").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "files")
	}
	var out []mail.File
	for i := range rows {
		out = append(out, rows[i].file())
	}
	return out, nil
}

func (r mailRepo) GetFile(ctx context.Context, id string) (mail.File, error) {
	row := fileRow{ServiceID: r.sid, FileID: id}
	if err := r.db.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return mail.File{}, mapErr(err, name("file", id))
	}
	return row.file(), nil
}
