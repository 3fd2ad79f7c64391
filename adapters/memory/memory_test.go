package memory_test

import (
	"testing"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Options{
		New: func(t *testing.T) helpdesk.Store {
			s := memory.New()
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		Queue: true,
	})
}
