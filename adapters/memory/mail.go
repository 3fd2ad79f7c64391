package memory

import (
	"context"
	"maps"
	"slices"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
)

// mailState is a service's mail records (MAIL-3, MAIL-10).
type mailState struct {
	records []mail.Record             // in the order added
	byKey   map[[2]string]int         // (mailbox, message id) → index in records
	byID    map[string][]int          // message id → indexes in records
	boxes   map[string]mail.Mailbox   // mailbox id → settings (MAIL-1, MAIL-2)
	files   []mail.File               // attachments, in the order added (MAIL-8)
	fileIdx map[string]int            // file id → index in files
	syncs   map[string]mail.Sync      // mailbox id → IMAP sync state
	rcpts   map[string]mail.Recipient // folded address → MAIL-9 state
}

func newMailState() mailState {
	return mailState{byKey: map[[2]string]int{}, byID: map[string][]int{}, syncs: map[string]mail.Sync{}, boxes: map[string]mail.Mailbox{}, fileIdx: map[string]int{}, rcpts: map[string]mail.Recipient{}}
}

type mailRepo struct{ tx *txn }

func (tx *txn) Mail() mail.Repository { return mailRepo{tx} }

func (r mailRepo) Add(ctx context.Context, rec mail.Record) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	st := &r.tx.t.ml
	k := [2]string{rec.MailboxID, rec.MessageID}
	if _, ok := st.byKey[k]; ok {
		return errs.New(helpdesk.ErrConflict, "mailbox %q has message %q", rec.MailboxID, rec.MessageID)
	}
	rec.ReceivedAt = utcMicro(rec.ReceivedAt)
	i := len(st.records)
	st.records = append(st.records, rec)
	st.byKey[k] = i
	st.byID[rec.MessageID] = append(st.byID[rec.MessageID], i)
	r.tx.onUndo(func() {
		st.records = st.records[:i]
		delete(st.byKey, k)
		ids := st.byID[rec.MessageID]
		if ids = ids[:len(ids)-1]; len(ids) == 0 {
			delete(st.byID, rec.MessageID)
		} else {
			st.byID[rec.MessageID] = ids
		}
	})
	return nil
}

func (r mailRepo) Get(ctx context.Context, mailboxID, messageID string) (mail.Record, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Record{}, err
	}
	i, ok := r.tx.t.ml.byKey[[2]string{mailboxID, messageID}]
	if !ok {
		return mail.Record{}, errs.NotFound("mail message", messageID)
	}
	return r.tx.t.ml.records[i], nil
}

func (r mailRepo) Find(ctx context.Context, ids []string) (mail.Record, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Record{}, err
	}
	best := -1
	for _, id := range ids {
		for _, i := range r.tx.t.ml.byID[id] {
			if r.tx.t.ml.records[i].TicketID != "" && i > best {
				best = i
			}
		}
	}
	if best < 0 {
		return mail.Record{}, errs.New(helpdesk.ErrNotFound, "no mail message with one of %d ids", len(ids))
	}
	return r.tx.t.ml.records[best], nil
}

func (r mailRepo) ByTicket(ctx context.Context, ticketID string) ([]mail.Record, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	var out []mail.Record
	for _, rec := range r.tx.t.ml.records {
		if rec.TicketID == ticketID {
			out = append(out, rec)
		}
	}
	return slices.Clip(out), nil
}

func (r mailRepo) LockSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Sync{}, err
	}
	if err := r.tx.exists(); err != nil {
		return mail.Sync{}, err
	}
	if s, ok := r.tx.t.ml.syncs[mailboxID]; ok {
		return s, nil
	}
	s := mail.Sync{MailboxID: mailboxID}
	return s, r.PutSync(ctx, s)
}

func (r mailRepo) GetSync(ctx context.Context, mailboxID string) (mail.Sync, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Sync{}, err
	}
	s, ok := r.tx.t.ml.syncs[mailboxID]
	if !ok {
		return mail.Sync{}, errs.NotFound("mailbox sync state", mailboxID)
	}
	return s, nil
}

func (r mailRepo) PutSync(ctx context.Context, s mail.Sync) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	s.LeaseUntil, s.LastSyncAt = utcMicro(s.LeaseUntil), utcMicro(s.LastSyncAt)
	putUndo(r.tx, r.tx.t.ml.syncs, s.MailboxID, s)
	return nil
}

func (r mailRepo) PutMailbox(ctx context.Context, m mail.Mailbox) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	m.CreatedAt, m.UpdatedAt = utcMicro(m.CreatedAt), utcMicro(m.UpdatedAt)
	putUndo(r.tx, r.tx.t.ml.boxes, m.ID, m)
	return nil
}

func (r mailRepo) GetMailbox(ctx context.Context, id string) (mail.Mailbox, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Mailbox{}, err
	}
	m, ok := r.tx.t.ml.boxes[id]
	if !ok {
		return mail.Mailbox{}, errs.NotFound("mailbox", id)
	}
	return m, nil
}

func (r mailRepo) Mailboxes(ctx context.Context) ([]mail.Mailbox, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]mail.Mailbox, 0, len(r.tx.t.ml.boxes))
	for _, id := range slices.Sorted(maps.Keys(r.tx.t.ml.boxes)) {
		out = append(out, r.tx.t.ml.boxes[id])
	}
	return out, nil
}

func (r mailRepo) DeleteMailbox(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	st := &r.tx.t.ml
	old, ok := st.boxes[id]
	if !ok {
		return errs.NotFound("mailbox", id)
	}
	delete(st.boxes, id)
	r.tx.onUndo(func() { st.boxes[id] = old })
	return nil
}

func (r mailRepo) AddFile(ctx context.Context, f mail.File) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	st := &r.tx.t.ml
	if _, ok := st.fileIdx[f.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "file %q exists", f.ID)
	}
	f.CreatedAt = utcMicro(f.CreatedAt)
	f.Content = slices.Clone(f.Content)
	st.fileIdx[f.ID] = len(st.files)
	st.files = append(st.files, f)
	r.tx.onUndo(func() {
		delete(st.fileIdx, f.ID)
		st.files = st.files[:len(st.files)-1]
	})
	return nil
}

func (r mailRepo) Files(ctx context.Context, ticketID string) ([]mail.File, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	var out []mail.File
	for _, f := range r.tx.t.ml.files {
		if f.TicketID == ticketID {
			f.Content = nil
			out = append(out, f)
		}
	}
	return out, nil
}

func (r mailRepo) GetFile(ctx context.Context, id string) (mail.File, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.File{}, err
	}
	i, ok := r.tx.t.ml.fileIdx[id]
	if !ok {
		return mail.File{}, errs.NotFound("file", id)
	}
	f := r.tx.t.ml.files[i]
	f.Content = slices.Clone(f.Content)
	return f, nil
}

// putUndo stores v at k in m and records how to undo it.
func putUndo[K comparable, V any](tx *txn, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	tx.onUndo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// mailRecipientRepo is mail.RecipientRepository (MAIL-9). The memory store
// serialises a service's transactions, so a lock is taken already.
type mailRecipientRepo struct{ tx *txn }

func (tx *txn) MailRecipients() mail.RecipientRepository { return mailRecipientRepo{tx} }

func (r mailRecipientRepo) LockRecipient(ctx context.Context, address string) (mail.Recipient, error) {
	if err := r.tx.check(ctx); err != nil {
		return mail.Recipient{}, err
	}
	if err := r.tx.exists(); err != nil {
		return mail.Recipient{}, err
	}
	rc, ok := r.tx.t.ml.rcpts[address]
	if !ok {
		return mail.Recipient{Address: address}, nil
	}
	rc.Sent = slices.Clone(rc.Sent)
	return rc, nil
}

func (r mailRecipientRepo) PutRecipient(ctx context.Context, rc mail.Recipient) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	rc.Sent = slices.Clone(rc.Sent)
	for i, t := range rc.Sent {
		rc.Sent[i] = utcMicro(t)
	}
	rc.BlockedUntil = utcMicro(rc.BlockedUntil)
	putUndo(r.tx, r.tx.t.ml.rcpts, rc.Address, rc)
	return nil
}
