package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testConcurrentConfigUpdates: two admins changing different parts of one
// category (name, enabled) or one field (label, required) at the same time
// both keep their change — the workflows lock before they read.
func testConcurrentConfigUpdates(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: cfg("acme").Settings})
	require.NoError(t, err)
	sys := d.Service("acme").As(helpdesk.System)
	c, err := sys.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "결제"}})
	require.NoError(t, err)
	f, err := sys.Fields().Create(ctx, field.New{Key: "order", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "주문"}})
	require.NoError(t, err)
	for round := range 10 {
		on := round%2 == 0
		name := i18n.Text{"ko": fmt.Sprintf("결제 %d", round)}
		label := i18n.Text{"ko": fmt.Sprintf("주문 %d", round)}
		var wg sync.WaitGroup
		wg.Go(func() {
			_, err := sys.Categories().Update(ctx, c.ID, category.Update{Name: name})
			assert.NoError(t, err)
		})
		wg.Go(func() {
			_, err := sys.Categories().Update(ctx, c.ID, category.Update{Enabled: &on})
			assert.NoError(t, err)
		})
		wg.Go(func() {
			_, err := sys.Fields().Update(ctx, f.Key, field.Update{Label: &label})
			assert.NoError(t, err)
		})
		wg.Go(func() {
			_, err := sys.Fields().Update(ctx, f.Key, field.Update{Required: &on})
			assert.NoError(t, err)
		})
		wg.Wait()
		gotC, err := sys.Categories().Get(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, name, gotC.Name, "round %d", round)
		assert.Equal(t, on, gotC.Enabled, "round %d", round)
		gotF, err := sys.Fields().Get(ctx, f.Key)
		require.NoError(t, err)
		assert.Equal(t, label, gotF.Label, "round %d", round)
		assert.Equal(t, on, gotF.Required, "round %d", round)
	}
}
