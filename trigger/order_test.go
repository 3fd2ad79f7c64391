package trigger_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/trigger"
)

var orderAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// orderSet returns active triggers a0..a2 and inactive i0..i2, each at
// its list's position, as Repository.List hands them out.
func orderSet() []trigger.Trigger {
	var ts []trigger.Trigger
	for _, active := range []bool{true, false} {
		prefix := "i"
		if active {
			prefix = "a"
		}
		for pos := range 3 {
			id := prefix + string(rune('0'+pos))
			ts = append(ts, trigger.Trigger{ID: id, Name: id, Active: active, Position: pos, CreatedAt: orderAt, UpdatedAt: orderAt})
		}
	}
	return ts
}

// row returns trigger id of ts, moved to a list and position.
func row(ts []trigger.Trigger, id string, active bool, pos int) trigger.Trigger {
	for _, t := range ts {
		if t.ID == id {
			t.Active, t.Position = active, pos
			return t
		}
	}
	panic("no trigger " + id)
}

func TestOrder_TRG1_End(t *testing.T) {
	ts := orderSet()
	assert.Equal(t, 3, trigger.End(ts, true))
	assert.Equal(t, 3, trigger.End(ts, false))
	assert.Equal(t, 0, trigger.End(nil, true), "the first trigger goes to position 0")
	assert.Equal(t, 2, trigger.End(ts[1:4], true))
}

func TestOrder_TRG1_MoveDeactivate(t *testing.T) {
	ts := orderSet()
	later := orderAt.Add(time.Hour)
	rows, err := trigger.Move(ts, "a0", false, later)
	require.NoError(t, err)
	moved := row(ts, "a0", false, 3)
	moved.UpdatedAt = later
	assert.Equal(t, []trigger.Trigger{moved, row(ts, "a1", true, 0), row(ts, "a2", true, 1)}, rows,
		"to the end of the inactive list, the gap it leaves closed; only the moved one is stamped")
}

func TestOrder_TRG1_MoveActivate(t *testing.T) {
	ts := orderSet()
	rows, err := trigger.Move(ts, "i1", true, orderAt.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "i1", rows[0].ID)
	assert.True(t, rows[0].Active)
	assert.Equal(t, 3, rows[0].Position, "to the end of the active list")
	assert.Equal(t, row(ts, "i2", false, 1), rows[1])

	rows, err = trigger.Move(ts, "a2", false, orderAt)
	require.NoError(t, err)
	assert.Len(t, rows, 1, "the last one leaves no gap")
}

func TestOrder_TRG1_MoveWithinItsList(t *testing.T) {
	ts := orderSet()
	for _, c := range []struct {
		id     string
		active bool
	}{{"a1", true}, {"i1", false}} {
		rows, err := trigger.Move(ts, c.id, c.active, orderAt.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, rows, "%s stays where it is", c.id)
	}
}

func TestOrder_TRG1_MoveUnknown(t *testing.T) {
	_, err := trigger.Move(orderSet(), "nope", true, orderAt)
	assert.ErrorIs(t, err, trigger.ErrNotFound)
}

func TestOrder_TRG1_Reorder(t *testing.T) {
	ts := orderSet()
	rows, err := trigger.Reorder(ts, []string{"a2", "a1", "a0"})
	require.NoError(t, err)
	assert.Equal(t, []trigger.Trigger{row(ts, "a2", true, 0), row(ts, "a0", true, 2)}, rows, "only the rows that move")

	rows, err = trigger.Reorder(ts, []string{"a0", "a1", "a2"})
	require.NoError(t, err)
	assert.Empty(t, rows, "the current order is no change")

	rows, err = trigger.Reorder(ts[3:], nil)
	require.NoError(t, err)
	assert.Empty(t, rows, "no active triggers: the empty order is the order")
}

func TestOrder_TRG1_ReorderMustNameEachActiveTriggerOnce(t *testing.T) {
	ts := orderSet()
	for name, ids := range map[string][]string{
		"nothing":           nil,
		"missing":           {"a2", "a0"},
		"duplicate":         {"a2", "a2", "a1"},
		"duplicate and all": {"a2", "a0", "a1", "a0"},
		"unknown":           {"a2", "a0", "nope"},
		"unknown and all":   {"a2", "a0", "a1", "nope"},
		"inactive":          {"a2", "a0", "i0"},
		"inactive and all":  {"i0", "a2", "a0", "a1"},
		"empty id":          {"a2", "a0", ""},
	} {
		rows, err := trigger.Reorder(ts, ids)
		assert.ErrorIs(t, err, trigger.ErrInvalid, name)
		assert.Nil(t, rows, name)
		assert.ErrorIs(t, trigger.CheckOrder([]string{"a0", "a1", "a2"}, ids), trigger.ErrInvalid, name)
	}
	assert.NoError(t, trigger.CheckOrder([]string{"a0", "a1"}, []string{"a1", "a0"}))
	assert.NoError(t, trigger.CheckOrder(nil, nil))
}

func TestOrder_TRG1_RemoveOnlyInactive(t *testing.T) {
	ts := orderSet()
	rows, err := trigger.Remove(ts, "a1")
	assert.ErrorIs(t, err, trigger.ErrActive)
	assert.ErrorIs(t, err, trigger.ErrInvalid, "ErrActive is a kind of ErrInvalid")
	assert.Nil(t, rows)

	rows, err = trigger.Remove(ts, "i0")
	require.NoError(t, err)
	assert.Equal(t, []trigger.Trigger{row(ts, "i1", false, 0), row(ts, "i2", false, 1)}, rows, "the gap is closed")

	rows, err = trigger.Remove(ts, "i2")
	require.NoError(t, err)
	assert.Empty(t, rows, "the last one leaves no gap")

	_, err = trigger.Remove(ts, "nope")
	assert.ErrorIs(t, err, trigger.ErrNotFound)
}

func TestOrder_TRG1_HelpersDoNotChangeTheirInput(t *testing.T) {
	ts := orderSet()
	want := orderSet()
	_, err := trigger.Move(ts, "a0", false, orderAt.Add(time.Hour))
	require.NoError(t, err)
	_, err = trigger.Reorder(ts, []string{"a2", "a1", "a0"})
	require.NoError(t, err)
	_, err = trigger.Remove(ts, "i0")
	require.NoError(t, err)
	assert.Equal(t, want, ts)
}
