package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// SMSSettings are a service's NHN Cloud SMS settings (SMS-1). They are
// kept in the service's record and changed only through Session.SMS: a
// Configuration.Update leaves them as they are. The keys are write-only:
// read back, they are masked (SEC-1).
type SMSSettings struct {
	// AppKey and SecretKey are the NHN Cloud SMS keys.
	AppKey    string `json:"app_key,omitempty"`
	SecretKey string `json:"secret_key,omitempty"`
	// SenderNumbers are the registered numbers the service sends from,
	// chosen among Registered; the first is the default (SMS-2).
	SenderNumbers []string `json:"sender_numbers,omitempty"`
	// Registered are the usable sender numbers the keys could read when
	// they were last checked.
	Registered []string `json:"registered,omitempty"`
	// Valid is true when the sender-number list could be read with the
	// keys (SMS-1); CheckedAt is when.
	Valid     bool      `json:"valid"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

func (s SMSSettings) clone() SMSSettings {
	s.SenderNumbers, s.Registered = slices.Clone(s.SenderNumbers), slices.Clone(s.Registered)
	return s
}

// masked returns s as it reads back (SEC-1).
func (s SMSSettings) masked() SMSSettings {
	s = s.clone()
	if s.AppKey != "" {
		s.AppKey = text.Masked
	}
	if s.SecretKey != "" {
		s.SecretKey = text.Masked
	}
	return s
}

// SMSNumbers reads the usable sender numbers of an NHN Cloud SMS key pair
// (SMS-1): registered, in use and not blocked. adapters/nhnsms.Client
// implements it. An error means the keys are not valid (or the API could
// not be reached).
type SMSNumbers interface {
	SenderNumbers(ctx context.Context, appKey, secretKey string) ([]string, error)
}

// SMSCredentials are what an SMS notifier needs to send for a service
// (Desk.SMSCredentials); the field set matches nhnsms.Credentials, so one
// converts to the other.
type SMSCredentials struct {
	AppKey        string
	SecretKey     string
	SenderNumbers []string
}

// SMSUpdate is what an admin sets (SMS.Update). A key sent back masked, as
// read, keeps the stored one.
type SMSUpdate struct {
	AppKey        string
	SecretKey     string
	SenderNumbers []string
}

// SMS is the SMS-settings area of a Session (Session.SMS).
type SMS struct{ s *Session }

// SMS returns the service's NHN Cloud SMS settings area (SMS-1).
func (s *Session) SMS() SMS { return SMS{s} }

// Get returns the service's SMS settings (admin), keys masked (SEC-1).
func (h SMS) Get(ctx context.Context) (SMSSettings, error) {
	var out SMSSettings
	err := h.s.run(ctx, "SMS.Get", permSettings, func(o *op) error {
		out = o.svc.SMS.masked()
		return nil
	})
	return out, err
}

// Update checks and stores the service's SMS keys and the sender numbers
// it uses (admin, SMS-1): the keys are valid only when the desk's
// SMSNumbers port can read their sender-number list, and every chosen
// number must be one of the usable numbers read; otherwise a
// *ValidationError names the field and nothing is stored. The port is
// called outside any transaction; the record is then written if no one
// changed it meanwhile (else ErrConflict). Returned masked.
func (h SMS) Update(ctx context.Context, u SMSUpdate) (SMSSettings, error) {
	var c errs.Collector
	text.Check(&c, "app_key", u.AppKey, true, text.NameBytes)
	text.Check(&c, "secret_key", u.SecretKey, true, text.NameBytes)
	text.CheckList(&c, "sender_numbers", u.SenderNumbers, text.NameBytes)
	if len(u.SenderNumbers) == 0 {
		c.Add("sender_numbers", "choose at least one registered sender number")
	}
	if err := c.Err(); err != nil {
		return SMSSettings{}, err
	}
	if h.s.desk.smsNumbers == nil {
		return SMSSettings{}, errs.New(ErrInvalid, "SMS: the desk has no SMSNumbers port (helpdesk.Config.SMSNumbers) to check the keys with")
	}
	// 1. Read the stored keys (a masked key keeps the stored one).
	var cur ServiceConfig
	if err := h.s.run(ctx, "SMS.Update", permSettings, func(o *op) error { cur = o.svc; return nil }); err != nil {
		return SMSSettings{}, err
	}
	next := SMSSettings{AppKey: u.AppKey, SecretKey: u.SecretKey, SenderNumbers: slices.Clone(u.SenderNumbers)}
	for _, k := range []struct {
		field      string
		val, saved *string
	}{{"app_key", &next.AppKey, &cur.SMS.AppKey}, {"secret_key", &next.SecretKey, &cur.SMS.SecretKey}} {
		if text.IsMasked(*k.val) {
			if *k.saved == "" || *k.val != text.Masked {
				return SMSSettings{}, maskedProblem(k.field, "no key is stored")
			}
			*k.val = *k.saved
		}
	}
	// 2. Ask the API, outside any transaction.
	registered, err := h.s.desk.smsNumbers.SenderNumbers(ctx, next.AppKey, next.SecretKey)
	if err != nil {
		if ctx.Err() != nil {
			return SMSSettings{}, ctx.Err()
		}
		return SMSSettings{}, &ValidationError{Problems: []Problem{{Field: "app_key",
			Reason: fmt.Sprintf("the sender-number list cannot be read with these keys: %v", err)}}}
	}
	for i, n := range next.SenderNumbers {
		if !slices.Contains(registered, n) {
			c.Add(fmt.Sprintf("sender_numbers[%d]", i), "%q is not a registered, usable sender number of these keys", n)
		} else if slices.Index(next.SenderNumbers, n) != i {
			c.Add(fmt.Sprintf("sender_numbers[%d]", i), "%q is listed twice", n)
		}
	}
	if err := c.Err(); err != nil {
		return SMSSettings{}, err
	}
	next.Registered, next.Valid = registered, true
	// 3. Write, unless the record changed meanwhile.
	out, err := h.s.writeConfig(ctx, "SMS.Update", func(o *op, cfg *ServiceConfig) error {
		if cfg.Version != cur.Version {
			return errs.New(ErrConflict, "service %q changed while its SMS keys were checked", cfg.ID)
		}
		next.CheckedAt = o.now
		cfg.SMS = next
		return nil
	})
	return result(out.SMS.masked(), err)
}

// SMSCredentials returns what an SMS notifier needs to send for the
// service, keys unmasked: a call of the host product (like CreateService),
// made by its SMS notifier, never shown to people. A service whose SMS is
// off or whose keys were not found valid returns zero credentials: the
// notifier then refuses to send.
func (d *Desk) SMSCredentials(ctx context.Context, serviceID string) (SMSCredentials, error) {
	if err := checkID("service", serviceID); err != nil {
		return SMSCredentials{}, err
	}
	var cfg ServiceConfig
	err := d.inService(ctx, serviceID, func(_ Repos, c ServiceConfig, _ time.Time) error {
		cfg = c
		return nil
	})
	if err != nil || !cfg.SMSEnabled || !cfg.SMS.Valid {
		return SMSCredentials{}, err
	}
	return SMSCredentials{AppKey: cfg.SMS.AppKey, SecretKey: cfg.SMS.SecretKey, SenderNumbers: slices.Clone(cfg.SMS.SenderNumbers)}, nil
}

// checkSMSOff refuses SMS surge templates while the service has SMS off
// (SVC-4, SMS-1).
func (s *Settings) checkSMSOff(c *errs.Collector) {
	if _, ok := s.Surge.Templates[notify.SMS]; ok && !s.SMSEnabled {
		c.Add("surge.templates.sms", "SMS is off for the service: turn it on (sms_enabled) before using SMS alerts")
	}
}

// smsActionsOff refuses SMS actions while the service has SMS off (SVC-4,
// SMS-1), naming each.
func smsActionsOff(svc ServiceConfig, actions []trigger.Action) error {
	if svc.SMSEnabled {
		return nil
	}
	var c errs.Collector
	for i, a := range actions {
		if a.Kind == trigger.SMS {
			c.Add(fmt.Sprintf("actions[%d].kind", i), "SMS is off for the service: turn it on (sms_enabled) before adding SMS actions")
		}
	}
	return c.Err()
}
