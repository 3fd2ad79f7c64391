package notify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/problem"
	"github.com/deskkit/deskkit/notify"
)

func TestSurgeRuleCheck_NTF2(t *testing.T) {
	assert.NoError(t, notify.SurgeRule{}.Check("surge."), "a disabled rule is not checked")

	ok := notify.SurgeRule{Enabled: true, Window: time.Hour, Threshold: 5, Location: "Asia/Seoul",
		AgentIDs: []string{"a1"}, Templates: map[notify.Medium]notify.Template{notify.Email: {Body: i18n.Text{"ko": "급증"}}}}
	assert.NoError(t, ok.Check("surge."))

	err := notify.SurgeRule{Enabled: true, Location: "Mars/Olympus", Cooldown: -time.Minute}.Check("surge.")
	var ve *problem.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"surge.window", "surge.threshold", "surge.cooldown", "surge.location", "surge.targets", "surge.templates"}, fields)
	assert.ErrorIs(t, err, notify.ErrInvalid)
}
