package trigger

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// recorder records the triggers that fire.
type recorder struct{ ids []string }

func (r *recorder) Apply(_ context.Context, tr *Trigger, _ *ticket.Ticket) (bool, error) {
	r.ids = append(r.ids, tr.ID)
	return false, nil
}

// TestEngine_MatchesHandwritten runs the benchmark workload through the
// engine and through the hand-written closures: the same triggers fire.
func TestEngine_MatchesHandwritten(t *testing.T) {
	now, before := benchTicket()
	ts := benchTriggers(1000)
	set, err := Compile(ts, benchSchema(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	tk := now.Clone()
	if _, err := set.Run(context.Background(), Input{Event: ticket.EventUpdated, Before: before, Now: now.UpdatedAt.Add(time.Hour)}, &tk, rec); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, id := range rec.ids {
		got[id] = true
	}
	e := hwEvent{ev: ticket.EventUpdated, now: &now, before: &before, lowerContent: strings.ToLower(now.Content)}
	for i, r := range handwritten(ts) {
		if want := r(&e); want != got[ts[i].ID] {
			t.Errorf("%s: engine %v, hand-written %v\n%s", ts[i].ID, got[ts[i].ID], want, set.Source(i))
		}
	}
}
