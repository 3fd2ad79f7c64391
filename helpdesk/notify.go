package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/notify"
)

// Dispatcher returns a dispatcher for this desk's outbox (NTF-1), of every
// service: call its Run in a goroutine and cancel the context to stop it,
// or call RunOnce (deliver what is due and return) or Drain (return once
// nothing is pending) from a test, a command-line tool or a scheduled
// function. cfg.Queue defaults to the store (which must implement
// notify.Queue), cfg.Clock to the desk's and cfg.Logger to the desk's.
// cfg.Notifiers must hold at least one notifier: a config without any is
// refused with a *ValidationError (ErrInvalid), as is a store that is not a
// queue.
func (d *Desk) Dispatcher(cfg notify.DispatcherConfig) (*notify.Dispatcher, error) {
	if cfg.Queue == nil {
		q, ok := d.store.(notify.Queue)
		if !ok {
			return nil, &ValidationError{Problems: []Problem{{Field: "queue",
				Reason: fmt.Sprintf("the store %T is not a notify.Queue: set DispatcherConfig.Queue", d.store)}}}
		}
		cfg.Queue = q
	}
	if cfg.Clock == nil {
		cfg.Clock = d.clock
	}
	if cfg.Logger == nil {
		cfg.Logger = d.log
	}
	return notify.NewDispatcher(cfg)
}

// surge queues the surge alerts a new ticket triggers (NTF-2..4): the
// window's count and the last alert time come from the store, under a lock,
// so several processes alert once.
func (s *Session) surge(ctx context.Context, o *op) error {
	rule := o.svc.Surge
	if !rule.ActiveOn(o.now) {
		return nil
	}
	last, err := o.r.Surge().LockLastAlert(ctx)
	if err != nil {
		return err
	}
	if !last.IsZero() && o.now.Sub(last) < rule.Cooldown {
		return nil
	}
	n, err := o.r.Tickets().CountCreatedSince(ctx, o.now.Add(-rule.Window))
	if err != nil {
		return err
	}
	if !rule.Due(o.now, last, n) {
		return nil
	}
	var msgs []notify.Message
	add := func(target string, m notify.Medium, to string) {
		if to == "" {
			return
		}
		t := rule.Templates[m]
		lang, def := o.svc.DefaultLanguage, o.svc.DefaultLanguage
		p := notify.Payload{
			Subject: rule.Render(t.Subject.Get(lang, def), n, o.svc.Name),
			Text:    rule.Render(t.Body.Get(lang, def), n, o.svc.Name),
		}
		if m == notify.Email {
			o.svc.Mail.sender(&p) // MAIL-5
		}
		msgs = append(msgs, notify.Message{
			ID: s.desk.newID(), Medium: m, Recipient: to,
			Payload:        p,
			IdempotencyKey: "surge:" + strconv.FormatInt(o.now.UnixMicro(), 10) + ":" + target + ":" + string(m),
			Source:         notify.Source{Kind: "surge"},
			NextAttemptAt:  o.now, CreatedAt: o.now, UpdatedAt: o.now,
		})
	}
	for _, id := range rule.AgentIDs {
		a, err := o.r.Agents().Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // removed since the rule was saved
		} else if err != nil {
			return err
		}
		for m := range rule.Templates {
			switch m {
			case notify.Email:
				add("agent:"+id, m, a.Email)
			case notify.Browser:
				add("agent:"+id, m, a.ID)
			}
		}
	}
	for _, id := range rule.RecipientIDs {
		r, err := o.r.Recipients().Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		for m := range rule.Templates {
			switch m {
			case notify.Email:
				add("recipient:"+id, m, r.Email)
			case notify.SMS:
				add("recipient:"+id, m, r.Phone)
			case notify.Dooray:
				add("recipient:"+id, m, r.DoorayHookURL)
			}
		}
	}
	if err := o.enqueue(ctx, false, msgs...); err != nil { // the alert's time is written after
		return err
	}
	return o.r.Surge().SetLastAlert(ctx, o.now)
}

// enqueue readies new messages (notify.Prepare: an id and a key each;
// pending, due and updated when created) and stores them in the outbox.
// last says the caller runs nothing after it in the transaction: the
// outbox write is then the transaction's last (op.last).
func (o *op) enqueue(ctx context.Context, last bool, msgs ...notify.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := notify.Prepare(msgs); err != nil {
		return err
	}
	msgs, err := o.limitMail(ctx, msgs)
	if err != nil || len(msgs) == 0 {
		return err
	}
	if last {
		o.last()
	}
	return o.r.Outbox().Enqueue(ctx, msgs...)
}

// NewRecipient is what a caller supplies for an external recipient (NTF-3).
type NewRecipient struct {
	Name          string
	Email         string
	Phone         string
	DoorayHookURL string
}

func (r *NewRecipient) check() error {
	var c errs.Collector
	r.Name, r.Email, r.Phone, r.DoorayHookURL = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone), strings.TrimSpace(r.DoorayHookURL)
	text.Check(&c, "name", r.Name, true, text.NameBytes)
	if r.Email != "" {
		text.CheckEmail(&c, "email", r.Email)
	}
	if !text.Valid(r.Phone, text.AddressBytes) {
		text.Check(&c, "phone", r.Phone, false, text.AddressBytes)
	} else if r.Phone != "" && !text.Phone(r.Phone) {
		c.Add("phone", "%q is not a phone number (3 to 20 digits)", r.Phone)
	}
	if r.DoorayHookURL != "" {
		var uc errs.Collector
		if text.Check(&uc, "dooray_hook_url", r.DoorayHookURL, false, text.URLBytes); uc.Err() != nil {
			c.Merge(uc.Err())
		} else if !strings.HasPrefix(r.DoorayHookURL, "https://") {
			c.Add("dooray_hook_url", "must be an https:// URL")
		}
	}
	if r.Email == "" && r.Phone == "" && r.DoorayHookURL == "" {
		c.Add("email", "an email, a phone or a Dooray! hook is required")
	}
	return c.Err()
}

// Create adds an external recipient (NTF-3; admin). The recipient is
// returned as it reads back: its Dooray! hook URL masked (SEC-1); a masked
// hook URL is refused.
func (h Recipients) Create(ctx context.Context, r NewRecipient) (notify.Recipient, error) {
	if err := r.check(); err != nil {
		return notify.Recipient{}, err
	}
	if text.IsMasked(r.DoorayHookURL) {
		return notify.Recipient{}, maskedProblem("dooray_hook_url", "a new recipient has no stored hook to keep")
	}
	var out notify.Recipient
	err := h.s.run(ctx, "Recipients.Create", permSettings, func(o *op) error {
		out = notify.Recipient{ID: h.s.desk.newID(), Name: r.Name, Email: r.Email, Phone: r.Phone, DoorayHookURL: r.DoorayHookURL, CreatedAt: o.now, UpdatedAt: o.now}
		return o.r.Recipients().Create(ctx, out)
	})
	return result(maskRecipient(out), err)
}

// Update replaces an external recipient's details (admin). A Dooray! hook
// URL sent back masked, as read, keeps the stored one (SEC-1); a masked
// value that is not the stored hook's is refused. The recipient is returned
// masked.
func (h Recipients) Update(ctx context.Context, id string, r NewRecipient) (notify.Recipient, error) {
	if err := checkID("recipient", id); err != nil {
		return notify.Recipient{}, err
	}
	if err := r.check(); err != nil {
		return notify.Recipient{}, err
	}
	var out notify.Recipient
	err := h.s.run(ctx, "Recipients.Update", permSettings, func(o *op) error {
		cur, err := o.r.Recipients().Get(ctx, id)
		if err != nil {
			return err
		}
		hook := r.DoorayHookURL
		if text.IsMasked(hook) {
			if cur.DoorayHookURL == "" || hook != text.MaskURL(cur.DoorayHookURL) {
				return maskedProblem("dooray_hook_url", "it is not the stored hook's")
			}
			hook = cur.DoorayHookURL
		}
		cur.Name, cur.Email, cur.Phone, cur.DoorayHookURL, cur.UpdatedAt = r.Name, r.Email, r.Phone, hook, o.now
		out = cur
		return o.r.Recipients().Update(ctx, cur)
	})
	return result(maskRecipient(out), err)
}

// Delete removes an external recipient (admin).
func (h Recipients) Delete(ctx context.Context, id string) error {
	if err := checkID("recipient", id); err != nil {
		return err
	}
	return h.s.run(ctx, "Recipients.Delete", permSettings, func(o *op) error { return o.r.Recipients().Delete(ctx, id) })
}

// List lists the external recipients (admin: their addresses and hooks
// are the settings' business), their Dooray! hook URLs masked (SEC-1).
func (h Recipients) List(ctx context.Context) ([]notify.Recipient, error) {
	var out []notify.Recipient
	err := h.s.run(ctx, "Recipients.List", permSettings, func(o *op) (err error) {
		out, err = o.r.Recipients().List(ctx)
		return err
	})
	for i := range out {
		out[i] = maskRecipient(out[i])
	}
	return out, err
}

// maskRecipient returns r as it reads back: its hook URL masked (SEC-1).
func maskRecipient(r notify.Recipient) notify.Recipient {
	r.DoorayHookURL = text.MaskURL(r.DoorayHookURL)
	return r
}

// maskedProblem refuses a masked credential that keeps nothing: why says
// why.
func maskedProblem(field, why string) error {
	return &ValidationError{Problems: []Problem{{Field: field,
		Reason: "is a masked value (" + text.Masked + ") and " + why + ": give the whole value, or send back the masked value read to keep the stored one (SEC-1)"}}}
}

// List returns one page of the outbox, newest first (admin). The
// recipient of a Dooray! or callback message is its URL, masked (SEC-1).
func (h Outbox) List(ctx context.Context, f notify.Filter) (notify.Page, error) {
	q, err := f.Query()
	if err != nil {
		return notify.Page{}, err
	}
	var out notify.Page
	err = h.s.run(ctx, "Outbox.List", permSettings, func(o *op) (err error) {
		out, err = o.r.Outbox().List(ctx, q)
		return err
	})
	for i, m := range out.Messages {
		if m.Medium == notify.Dooray || m.Medium == notify.Callback {
			out.Messages[i].Recipient = text.MaskURL(m.Recipient)
		}
	}
	return out, err
}

// Counts returns how many messages are in each state (admin).
func (h Outbox) Counts(ctx context.Context) (map[notify.State]int, error) {
	var out map[notify.State]int
	err := h.s.run(ctx, "Outbox.Counts", permSettings, func(o *op) (err error) {
		out, err = o.r.Outbox().Counts(ctx)
		return err
	})
	return out, err
}

// Retry makes a failed message pending again, due now, its attempts
// reset (admin; NTF-1). ErrNotFound if unknown, ErrInvalid unless failed.
func (h Outbox) Retry(ctx context.Context, id string) error {
	if err := checkID("message", id); err != nil {
		return err
	}
	return h.s.run(ctx, "Outbox.Retry", permSettings, func(o *op) error {
		m, err := o.r.Outbox().Get(ctx, id) // locked until the end
		if err != nil {
			return err
		}
		if err := m.Retry(o.now); err != nil {
			return err
		}
		return o.r.Outbox().Update(ctx, m)
	})
}
