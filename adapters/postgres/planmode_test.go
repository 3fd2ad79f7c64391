package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
)

// TestGenericPlans_SwitchIsLocal_STO1: the hot statements on the
// configuration tables switch plan_cache_mode to auto for themselves
// alone: the transaction's next statement, and the connection's next
// transaction, plan as the connection does (force_custom_plan), also when
// such a statement failed and its transaction rolled back.
func TestGenericPlans_SwitchIsLocal_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := postgres.Open(ctx, migrated.Database(t), postgres.Options{MaxOpenConns: 1}) // one connection throughout
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	mkService(t, s, "acme")
	mode := func(r helpdesk.Repos) string {
		var m string
		require.NoError(t, postgres.TxOf(r).QueryRowContext(ctx, "SHOW plan_cache_mode").Scan(&m))
		return m
	}
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Service().Get(ctx) // [BEGIN, switch, service, switch back]
		require.NoError(t, err)
		assert.Equal(t, "force_custom_plan", mode(r))
		_, err = r.Agents().List(ctx) // a multi-row read
		require.NoError(t, err)
		assert.Equal(t, "force_custom_plan", mode(r))
		_, err = r.Groups().Get(ctx, "nope") // no row
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	}))
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if f, ok := r.(helpdesk.Finisher); ok {
			f.Finish()
		}
		_, err := r.Groups().AdvanceCursor(ctx, "nope", []int64{1}) // the final batch fails: rolled back
		return err
	})
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		assert.Equal(t, "force_custom_plan", mode(r))
		return nil
	}))
}
