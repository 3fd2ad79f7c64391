package helpdesk

import (
	"context"
	"time"
)

// CloseDue exposes closeDue to the tests of package helpdesk_test.
func (s *Session) CloseDue(ctx context.Context, id string, cutoff time.Time) (bool, error) {
	return s.closeDue(ctx, id, cutoff)
}
