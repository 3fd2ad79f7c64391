package notify

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// SurgeRule alerts chosen people when new tickets pile up (NTF-2..4): when
// the tickets created in the last Window reach Threshold, on an enabled
// weekday, and the last alert is at least Cooldown ago, one alert goes to
// each target by each medium.
type SurgeRule struct {
	Enabled   bool          `json:"enabled"`
	Window    time.Duration `json:"window"`
	Threshold int           `json:"threshold"`
	// Weekdays enables the rule per day, indexed by time.Weekday (Sunday
	// 0), in Location.
	Weekdays [7]bool `json:"weekdays"`
	// Location is the IANA time zone the weekdays are in; default UTC.
	Location string        `json:"location,omitempty"`
	Cooldown time.Duration `json:"cooldown"`
	// AgentIDs and RecipientIDs are the targets (NTF-3).
	AgentIDs     []string `json:"agent_ids,omitempty"`
	RecipientIDs []string `json:"recipient_ids,omitempty"`
	// Templates holds one template per medium used (NTF-4). Codes:
	// #{count}, #{window} (minutes), #{threshold}, #{service}.
	Templates map[Medium]Template `json:"templates,omitempty"`
}

// Template is the text of one medium, per language.
type Template struct {
	Subject i18n.Text `json:"subject,omitempty"`
	Body    i18n.Text `json:"body"`
}

// SurgeMedia are the media a surge alert can use.
var SurgeMedia = []Medium{Email, SMS, Dooray, Browser}

// Clone returns a copy of r that shares no memory with it.
func (r SurgeRule) Clone() SurgeRule {
	r.AgentIDs, r.RecipientIDs = slices.Clone(r.AgentIDs), slices.Clone(r.RecipientIDs)
	if r.Templates != nil {
		ts := make(map[Medium]Template, len(r.Templates))
		for m, t := range r.Templates {
			ts[m] = Template{Subject: t.Subject.Clone(), Body: t.Body.Clone()}
		}
		r.Templates = ts
	}
	return r
}

// Check returns a *problem.ValidationError (helpdesk.ValidationError)
// naming every problem of an enabled rule, its fields prefixed with prefix
// ("surge." names the window "surge.window"), or nil. A disabled rule is
// not checked.
func (r SurgeRule) Check(prefix string) error {
	var c errs.Collector
	// The texts are stored even when the rule is off: each must be text a
	// store keeps (SEC-3 of helpdesk).
	text.Check(&c, prefix+"location", r.Location, false, text.KeyBytes)
	text.CheckList(&c, prefix+"agent_ids", r.AgentIDs, text.KeyBytes)
	text.CheckList(&c, prefix+"recipient_ids", r.RecipientIDs, text.KeyBytes)
	for _, m := range slices.Sorted(maps.Keys(r.Templates)) {
		text.Check(&c, prefix+"templates", string(m), true, text.KeyBytes)
		t := r.Templates[m]
		text.CheckMap(&c, prefix+"templates."+string(m)+".subject", t.Subject, text.ShortBytes)
		text.CheckMap(&c, prefix+"templates."+string(m)+".body", t.Body, text.LongBytes)
	}
	if !r.Enabled {
		return c.Err()
	}
	if r.Window < time.Minute {
		c.Add(prefix+"window", "must be at least a minute")
	}
	if r.Threshold < 1 {
		c.Add(prefix+"threshold", "must be at least 1")
	}
	if r.Cooldown < 0 {
		c.Add(prefix+"cooldown", "must not be negative")
	}
	if _, err := time.LoadLocation(r.Location); err != nil {
		c.Add(prefix+"location", "unknown time zone %q", r.Location)
	}
	if len(r.AgentIDs)+len(r.RecipientIDs) == 0 {
		c.Add(prefix+"targets", "at least one agent or external recipient is required")
	}
	if len(r.Templates) == 0 {
		c.Add(prefix+"templates", "at least one medium is required")
	}
	for m, t := range r.Templates {
		ok := false
		for _, sm := range SurgeMedia {
			ok = ok || sm == m
		}
		if !ok {
			c.Add(prefix+"templates", "medium %q cannot carry surge alerts", m)
		}
		if len(t.Body) == 0 {
			c.Add(prefix+"templates."+string(m), "a body is required")
		}
	}
	return c.Err()
}

// Due reports whether an alert is due at now, given the count of tickets in
// the window (this one included) and the time of the last alert.
func (r SurgeRule) Due(now, lastAlert time.Time, count int) bool {
	if !r.Enabled || count < r.Threshold {
		return false
	}
	if !lastAlert.IsZero() && now.Sub(lastAlert) < r.Cooldown {
		return false
	}
	return r.ActiveOn(now)
}

// ActiveOn reports whether the rule is enabled on now's weekday.
func (r SurgeRule) ActiveOn(now time.Time) bool {
	loc, err := time.LoadLocation(r.Location)
	if err != nil {
		loc = time.UTC
	}
	return r.Enabled && r.Weekdays[now.In(loc).Weekday()]
}

// Render replaces the codes of the surge template text s.
func (r SurgeRule) Render(s string, count int, service string) string {
	return strings.NewReplacer(
		"#{count}", strconv.Itoa(count),
		"#{window}", strconv.Itoa(int(r.Window/time.Minute)),
		"#{threshold}", strconv.Itoa(r.Threshold),
		"#{service}", service,
	).Replace(s)
}

// String describes the rule for logs.
func (r SurgeRule) String() string {
	return fmt.Sprintf("surge ≥%d in %s, cooldown %s", r.Threshold, r.Window, r.Cooldown)
}
