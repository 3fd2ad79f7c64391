package agent_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/internal/errs"
)

func groups(ids ...string) []agent.Group {
	out := make([]agent.Group, len(ids))
	for i, id := range ids {
		out[i] = agent.Group{ID: id, Name: "group " + id, Position: i}
	}
	return out
}

func TestNextPosition_AGT6_GoesLast(t *testing.T) {
	assert.Equal(t, 0, agent.NextPosition(nil))
	assert.Equal(t, 3, agent.NextPosition(groups("a", "b", "c")))
}

func TestCheckReorder_AGT6_NamesEveryGroupOnce(t *testing.T) {
	gs := groups("a", "b", "c")
	assert.NoError(t, agent.CheckReorder(gs, []string{"c", "a", "b"}))
	assert.NoError(t, agent.CheckReorder(nil, nil), "no groups, nothing to list")
	for _, c := range []struct {
		name string
		ids  []string
		want int // problems
	}{
		{"one missing", []string{"a", "b"}, 1},
		{"one twice, one missing", []string{"a", "b", "b"}, 2},
		{"one twice", []string{"a", "b", "c", "c"}, 1},
		{"an unknown one instead", []string{"a", "b", "x"}, 2},
		{"an unknown one besides", []string{"a", "b", "c", "x"}, 1},
		{"none", nil, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := agent.CheckReorder(gs, c.ids)
			require.ErrorIs(t, err, errs.ErrInvalid)
			var ve *errs.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Len(t, ve.Problems, c.want, "%v", err)
			for _, p := range ve.Problems {
				assert.Equal(t, "ids", p.Field)
			}
		})
	}
}

func TestReorder_AGT6_ReturnsTheMovedGroups(t *testing.T) {
	gs := groups("a", "b", "c", "d")
	changed := agent.Reorder(gs, []string{"a", "c", "b", "d"})
	want := []agent.Group{gs[2], gs[1]}
	want[0].Position, want[1].Position = 1, 2
	assert.Equal(t, want, changed)
	assert.Empty(t, agent.Reorder(gs, []string{"a", "b", "c", "d"}), "the same order changes nothing")
	assert.Equal(t, groups("a", "b", "c", "d"), gs, "the input is not changed")
}

func TestRenumber_AGT6_ClosesGaps(t *testing.T) {
	gs := groups("a", "b", "c", "d")
	rest := []agent.Group{gs[0], gs[2], gs[3]} // b deleted
	changed := agent.Renumber(rest)
	want := []agent.Group{gs[2], gs[3]}
	want[0].Position, want[1].Position = 1, 2
	assert.Equal(t, want, changed)
	assert.Equal(t, []int{0, 2, 3}, []int{rest[0].Position, rest[1].Position, rest[2].Position}, "the input is not changed")
	assert.Empty(t, agent.Renumber(groups("a", "b")))
	assert.Empty(t, agent.Renumber(nil))
}
