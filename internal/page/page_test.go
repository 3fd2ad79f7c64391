package page

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTripAndOrder(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.UTC)
	gotAt, id, err := Decode(Encode(at, "a|b"))
	require.NoError(t, err)
	assert.Equal(t, at.Truncate(time.Microsecond), gotAt, "microseconds, as stored")
	assert.Equal(t, "a|b", id, "the id may hold the separator")
	for _, bad := range []string{"!!", "", "eA", Encode(at, "x")[:3]} {
		_, _, err := Decode(bad)
		assert.Error(t, err, bad)
	}
	assert.True(t, Older(at, "b", at, "c"))
	assert.False(t, Older(at, "c", at, "c"))
	assert.True(t, Older(at.Add(-time.Microsecond), "z", at, "a"))
}
