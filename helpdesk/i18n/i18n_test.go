package i18n_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/i18n"
)

func TestText_SVC2_Fallback(t *testing.T) {
	txt := i18n.Text{"ko": "안녕", "en": "", "ja": "こんにちは"}
	assert.Equal(t, "こんにちは", txt.Get("ja", "ko"))
	assert.Equal(t, "안녕", txt.Get("en", "ko"), "empty text falls back")
	assert.Equal(t, "안녕", txt.Get("fr", "ko"))
	assert.Equal(t, "", i18n.Text(nil).Get("fr", "ko"))
	assert.Equal(t, []string{"en", "ja", "ko"}, txt.Langs())
	c := txt.Clone()
	c["ko"] = "x"
	assert.Equal(t, "안녕", txt["ko"])
}

func TestCanonical(t *testing.T) {
	got, err := i18n.Canonical("EN-us")
	require.NoError(t, err)
	assert.Equal(t, "en-US", got)
	_, err = i18n.Canonical("not a tag!")
	assert.Error(t, err)
}
