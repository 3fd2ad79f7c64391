package helpdesk_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// keeps reports whether s is text every store keeps (SEC-3).
func keeps(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// FuzzBoundary_SEC3 feeds one text to the boundary validators of the
// settings, agents and recipients: each call either refuses it with a
// *ValidationError or accepts it, and accepts only text a store keeps,
// within its limit. The kept corpus (testdata/fuzz/FuzzBoundary_SEC3)
// holds a NUL, invalid UTF-8, an oversize text and the six characters
// \u0000.
func FuzzBoundary_SEC3(f *testing.F) {
	for _, s := range []string{"x", "a\x00", "\xff", `\u0000`, `\\u0000`, strings.Repeat("9", 300)} {
		f.Add(s)
	}
	ctx := context.Background()
	fx := newFixture(f, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Channels.Phone = true })
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, s string) {
		ok := keeps(s)
		refused := func(what string, err error) {
			t.Helper()
			if err == nil {
				return
			}
			var ve *helpdesk.ValidationError
			if !errors.As(err, &ve) && !errors.Is(err, helpdesk.ErrConflict) { // a taken account is a conflict
				t.Fatalf("%s: %q: not a *ValidationError: %v", what, s, err)
			}
		}

		c, err := fx.admin.Configuration().Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		set := c.Settings
		set.Mail.FromName = s
		set.InternalResolutionText = i18n.Text{"ko": s}
		got, err := fx.admin.Configuration().Update(ctx, c.Version, set)
		refused("settings", err)
		if err == nil && (!ok || len(s) > 200 || got.Mail.FromName != s) {
			t.Fatalf("settings accepted %q", s)
		}

		a, err := fx.admin.Agents().Create(ctx, agent.New{Name: "P", Email: "p" + strconv.Itoa(int(n.Add(1))) + "@acme.example",
			Account: s, CTIID: s, Extension: s})
		refused("agent", err)
		if err == nil && (!ok || len(s) > agent.MaxExtensionBytes) {
			t.Fatalf("agent accepted %q", s)
		}
		if err == nil {
			_, err = fx.admin.Agents().Update(ctx, a.ID, agent.Update{Version: a.Version, CTIID: &s})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{s, fx.adminID + s} {
			if _, err := fx.admin.Agents().Get(ctx, id); err == nil && !ok {
				t.Fatalf("agent id %q found", id)
			}
		}

		_, err = fx.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: s, Phone: s, DoorayHookURL: "https://h.example/" + s})
		refused("recipient", err)
		if err == nil && (!ok || len(s) > 254) {
			t.Fatalf("recipient accepted %q", s)
		}
	})
}
