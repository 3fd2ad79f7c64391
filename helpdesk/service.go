package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/notify"
)

// Channels records which consultation channels a service has contracted
// (SVC-4).
type Channels struct {
	Ticket bool `json:"ticket"`
	Chat   bool `json:"chat"`
	Phone  bool `json:"phone"`
}

// TicketSettings are the per-service ticket settings of TKT-5.
type TicketSettings struct {
	// GroupAtCreation allows choosing the assignee group when a ticket is
	// created; if false a group given at creation is refused.
	GroupAtCreation bool `json:"group_at_creation"`
	// AssigneeAtCreation allows choosing the assignee at creation.
	AssigneeAtCreation bool `json:"assignee_at_creation"`
	// CloseAfter is how long a solved ticket waits before it closes
	// (TKT-2); 0 means the default of 4 days, a negative value never.
	CloseAfter time.Duration `json:"close_after,omitempty"`
}

// DefaultCloseAfter is how long solved tickets wait before they close.
const DefaultCloseAfter = 4 * 24 * time.Hour

// Settings are the parts of a service an admin configures.
type Settings struct {
	Name string `json:"name"`
	// Languages are the help-center languages, in display order (SVC-2).
	Languages []string `json:"languages"`
	// DefaultLanguage is the fallback of every per-language text; it must be
	// one of Languages.
	DefaultLanguage string         `json:"default_language"`
	Channels        Channels       `json:"channels"`
	SMSEnabled      bool           `json:"sms_enabled"`
	Tickets         TicketSettings `json:"tickets"`
	// InternalResolutionText is recorded in the history when a ticket is
	// solved without mailing the customer (TKT-6).
	InternalResolutionText i18n.Text `json:"internal_resolution_text,omitempty"`
	// Mail holds the sender and the automatic mails (MAIL-5, MAIL-6).
	Mail MailSettings `json:"mail"`
	// Surge alerts when new tickets pile up (NTF-2).
	Surge notify.SurgeRule `json:"surge"`
	// SMS holds the NHN Cloud SMS keys and sender numbers (SMS-1); it is
	// set through Session.SMS only, and read back masked.
	SMS SMSSettings `json:"sms,omitzero"`
	// Dooray holds the Dooray! task-transfer settings (DRY-1); set through
	// Session.Dooray only, its token read back masked.
	Dooray DooraySettings `json:"dooray,omitzero"`
}

// ServiceConfig is the stored record of one service (tenant).
type ServiceConfig struct {
	ID string `json:"id"`
	Settings
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Clone returns a copy of c that shares no memory with it.
func (c ServiceConfig) Clone() ServiceConfig {
	c.Languages = slices.Clone(c.Languages)
	c.InternalResolutionText = c.InternalResolutionText.Clone()
	m := &c.Mail
	m.Layout.Header, m.Layout.Footer = m.Layout.Header.Clone(), m.Layout.Footer.Clone()
	for _, a := range []*AutoMail{&m.Resolve, &m.Hold, &m.Manual} {
		a.Subject, a.Body = a.Subject.Clone(), a.Body.Clone()
	}
	c.Surge = c.Surge.Clone()
	c.SMS = c.SMS.clone()
	c.Dooray = c.Dooray.clone()
	return c
}

// HasLanguage reports whether lang is one of the service's languages.
func (c ServiceConfig) HasLanguage(lang string) bool { return slices.Contains(c.Languages, lang) }

// Contracted reports whether the channel a ticket arrives by is contracted
// (SVC-4): phone and chat need their own contract, every other channel the
// ticket contract.
func (c Channels) Contracted(ch ticket.Channel) bool {
	switch ch {
	case ticket.ChannelPhone:
		return c.Phone
	case ticket.ChannelChat:
		return c.Chat
	}
	return c.Ticket
}

var serviceIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// normalize canonicalises the language tags of s and records every problem
// on c.
func (s *Settings) normalize(c *errs.Collector) {
	text.Check(c, "name", s.Name, true, text.NameBytes)
	text.CheckMap(c, "internal_resolution_text", s.InternalResolutionText, text.ShortBytes)
	if len(s.Languages) == 0 {
		c.Add("languages", "at least one language is required")
	}
	langs := make([]string, 0, len(s.Languages))
	for _, l := range s.Languages {
		cl, err := i18n.Canonical(l)
		switch {
		case err != nil:
			c.Add("languages", "%v", err)
		case slices.Contains(langs, cl):
			c.Add("languages", "%q is listed twice", cl)
		default:
			langs = append(langs, cl)
		}
	}
	s.Languages = langs
	if s.DefaultLanguage == "" && len(langs) > 0 {
		s.DefaultLanguage = langs[0]
	} else if dl, err := i18n.Canonical(s.DefaultLanguage); err != nil || !slices.Contains(langs, dl) {
		c.Add("default_language", "%q is not one of the service's languages", s.DefaultLanguage)
	} else {
		s.DefaultLanguage = dl
	}
	for _, l := range s.InternalResolutionText.Langs() {
		if !slices.Contains(langs, l) {
			c.Add("internal_resolution_text", "language %q is not one of the service's languages", l)
		}
	}
	s.Mail.check(c, langs)
	c.Merge(s.Surge.Check("surge."))
	s.checkSMSOff(c)
}

// NewService describes a service to create.
type NewService struct {
	// ID is the tenant's stable key: 1–63 of a–z, 0–9, '-' and '_'.
	ID string
	Settings
}

// CreateService creates a service (tenant). It is a call of the host
// product, not of an actor inside a service. An existing id returns
// ErrConflict.
func (d *Desk) CreateService(ctx context.Context, n NewService) (ServiceConfig, error) {
	var c errs.Collector
	if !serviceIDPattern.MatchString(n.ID) {
		c.Add("id", "%q must be 1–63 of a–z, 0–9, '-' and '_'", n.ID)
	}
	n.Settings.normalize(&c)
	if err := c.Err(); err != nil {
		return ServiceConfig{}, err
	}
	n.SMS = SMSSettings{} // set through Session.SMS, where the keys are checked (SMS-1)
	n.Dooray = DooraySettings{}
	now := d.now()
	cfg := ServiceConfig{ID: n.ID, Settings: n.Settings, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := d.store.Tx(ctx, n.ID, func(r Repos) error { return r.Service().Create(ctx, cfg) })
	if err != nil {
		return ServiceConfig{}, errs.Wrap(err, "create service %q", n.ID)
	}
	return cfg, nil
}

// Service list page sizes (Desk.Services).
const (
	DefaultServicePage = 100
	MaxServicePage     = 1000
)

// Services returns up to limit ids of the store's services (default
// DefaultServicePage, at most MaxServicePage) that come after the id after
// (empty: from the first), in the store's order: pass the last id of a page
// as after to get the next; a short page is the last. It is a call of the
// host product, like CreateService.
func (d *Desk) Services(ctx context.Context, after string, limit int) ([]string, error) {
	if limit == 0 {
		limit = DefaultServicePage
	}
	if limit < 0 || limit > MaxServicePage {
		return nil, &ValidationError{Problems: []Problem{{Field: "limit", Reason: fmt.Sprintf("must be between 1 and %d", MaxServicePage)}}}
	}
	ids, err := d.store.Services(ctx, after, limit)
	if err != nil {
		return nil, errs.Wrap(err, "list services")
	}
	return ids, nil
}

// Get returns the service's configuration. Any agent of the service may
// read it.
func (h Configuration) Get(ctx context.Context) (ServiceConfig, error) {
	var out ServiceConfig
	err := h.s.run(ctx, "Configuration.Get", permRead, func(o *op) error {
		out = o.svc.Clone()
		out.SMS, out.Dooray = out.SMS.masked(), out.Dooray.masked() // SEC-1
		return nil
	})
	return out, err
}

// Update replaces the service's settings (admin, SVC-3). version is
// the ServiceConfig.Version the caller read; a stale one is ErrConflict.
func (h Configuration) Update(ctx context.Context, version int64, set Settings) (ServiceConfig, error) {
	var c errs.Collector
	if set.normalize(&c); c.Err() != nil {
		return ServiceConfig{}, c.Err()
	}
	out, err := h.s.writeConfig(ctx, "Configuration.Update", func(_ *op, cfg *ServiceConfig) error {
		set.SMS, set.Dooray = cfg.SMS, cfg.Dooray // changed through Session.SMS and Session.Dooray only
		cfg.Settings, cfg.Version = set, version
		return nil
	})
	out.SMS, out.Dooray = out.SMS.masked(), out.Dooray.masked() // cached unmasked, returned masked (SEC-1)
	return out, err
}

// writeConfig changes the service's record (admin): change edits a copy
// of the stored record, which is then stored (a stale Version is
// ErrConflict) and returned unmasked. The new record is seen at once by
// this Desk; after a conflict the caller's next read gets the new version.
func (s *Session) writeConfig(ctx context.Context, call string, change func(o *op, cfg *ServiceConfig) error) (ServiceConfig, error) {
	var out ServiceConfig
	err := s.run(ctx, call, permSettings, func(o *op) error {
		cfg := o.svc
		if err := change(o, &cfg); err != nil {
			return err
		}
		cfg.UpdatedAt = o.now
		if err := o.r.Service().Update(ctx, &cfg); err != nil {
			return err
		}
		out = cfg.Clone()
		return nil
	})
	switch {
	case err == nil:
		s.desk.cache(out, s.desk.now())
	case errors.Is(err, ErrConflict):
		s.desk.forget(s.svc)
	}
	return out, err
}
