package helpdesk_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// groupSpy records the group repository calls that take the lock, read
// the positions or write them.
type groupSpy struct {
	mu    sync.Mutex
	calls []string
}

func (s *groupSpy) record(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, name)
}

// take returns the calls recorded so far and forgets them.
func (s *groupSpy) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = nil
	return out
}

type spyStore struct {
	helpdesk.Store
	spy *groupSpy
}

func (s spyStore) Tx(ctx context.Context, service string, fn func(helpdesk.Repos) error) error {
	return s.Store.Tx(ctx, service, func(r helpdesk.Repos) error { return fn(spyRepos{r, s.spy}) })
}

type spyRepos struct {
	helpdesk.Repos
	spy *groupSpy
}

func (r spyRepos) Groups() agent.GroupRepository { return spyGroups{r.Repos.Groups(), r.spy} }

type spyGroups struct {
	agent.GroupRepository
	spy *groupSpy
}

func (g spyGroups) Lock(ctx context.Context) error {
	g.spy.record("Lock")
	return g.GroupRepository.Lock(ctx)
}
func (g spyGroups) List(ctx context.Context) ([]agent.Group, error) {
	g.spy.record("List")
	return g.GroupRepository.List(ctx)
}
func (g spyGroups) Insert(ctx context.Context, x agent.Group) error {
	g.spy.record("Insert")
	return g.GroupRepository.Insert(ctx, x)
}
func (g spyGroups) Save(ctx context.Context, xs []agent.Group) error {
	g.spy.record("Save")
	return g.GroupRepository.Save(ctx, xs)
}
func (g spyGroups) Delete(ctx context.Context, id string) error {
	g.spy.record("Delete")
	return g.GroupRepository.Delete(ctx, id)
}

func TestGroups_AGT6_WritesLockThenReadThenWrite(t *testing.T) {
	ctx := context.Background()
	spy := &groupSpy{}
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.Store = spyStore{c.Store, spy} })
	spy.take()
	a, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "A"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Lock", "List", "Insert"}, spy.take(), "create")
	b, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "B"})
	require.NoError(t, err)
	spy.take()
	_, err = f.admin.Groups().Update(ctx, a.ID, helpdesk.NewGroup{Name: "A2"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Lock", "Save"}, spy.take(), "update")
	require.NoError(t, f.admin.Groups().Reorder(ctx, []string{b.ID, a.ID}))
	assert.Equal(t, []string{"Lock", "List", "Save"}, spy.take(), "reorder")
	require.NoError(t, f.admin.Groups().Reorder(ctx, []string{b.ID, a.ID}))
	assert.Equal(t, []string{"Lock", "List"}, spy.take(), "a reorder to the current order writes nothing")
	assert.Error(t, f.admin.Groups().Reorder(ctx, []string{b.ID}))
	assert.Equal(t, []string{"Lock", "List"}, spy.take(), "a refused reorder writes nothing")
	require.NoError(t, f.admin.Groups().Delete(ctx, b.ID))
	assert.Equal(t, []string{"Lock", "List", "Delete", "Save"}, spy.take(), "delete, then close the gap")
	require.NoError(t, f.admin.Groups().Delete(ctx, a.ID))
	assert.Equal(t, []string{"Lock", "List", "Delete"}, spy.take(), "the last group leaves no gap")
}

func TestGroups_AGT6_PositionsHaveNoGaps(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var ids []string
	for i, n := range []string{"A", "B", "C"} {
		g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: n})
		require.NoError(t, err)
		assert.Equal(t, i, g.Position, "a new group goes last")
		ids = append(ids, g.ID)
	}
	require.NoError(t, f.admin.Groups().Delete(ctx, ids[0]))
	gs, err := f.admin.Groups().List(ctx)
	require.NoError(t, err)
	require.Len(t, gs, 2)
	assert.Equal(t, []string{ids[1], ids[2]}, []string{gs[0].ID, gs[1].ID})
	assert.Equal(t, []int{0, 1}, []int{gs[0].Position, gs[1].Position}, "the gap is closed")
	d, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "D"})
	require.NoError(t, err)
	assert.Equal(t, 2, d.Position)
}

func TestGroups_AGT6_ReorderMustNameEachGroupOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var ids []string
	for _, n := range []string{"A", "B"} {
		g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: n})
		require.NoError(t, err)
		ids = append(ids, g.ID)
	}
	foreign, err := f.other.As(helpdesk.System).Groups().Create(ctx, helpdesk.NewGroup{Name: "Foreign"})
	require.NoError(t, err)
	for _, bad := range [][]string{nil, {ids[0]}, {ids[0], ids[0]}, {ids[0], ids[1], ids[1]}, {ids[0], foreign.ID}} {
		err := f.admin.Groups().Reorder(ctx, bad)
		for _, field := range problems(t, err) {
			assert.Equal(t, "ids", field, "%v", bad)
		}
	}
	gs, err := f.admin.Groups().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, ids, []string{gs[0].ID, gs[1].ID}, "refused reorders changed nothing")
	assert.ErrorIs(t, f.agent.Groups().Reorder(ctx, []string{ids[1], ids[0]}), helpdesk.ErrForbidden)
}

func TestGroups_AGT6_DeleteUnknown(t *testing.T) {
	f := newFixture(t)
	assert.ErrorIs(t, f.admin.Groups().Delete(context.Background(), "nope"), helpdesk.ErrNotFound)
}
