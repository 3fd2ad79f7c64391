package text

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/internal/errs"
)

func TestEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"kim@example.com":                  true,
		"Kim <kim@example.com>":            false,
		"kim":                              false,
		"":                                 false,
		" kim@example.com":                 false,
		strings.Repeat("a", 250) + "@b.co": false,
	} {
		assert.Equal(t, want, Email(s), "%q", s)
	}
}

func TestPhone(t *testing.T) {
	for s, want := range map[string]bool{
		"010-1234-5678":         true,
		"+82 (2) 555.1234":      true,
		"12":                    false,
		"1+23":                  false,
		"010-abcd":              false,
		strings.Repeat("1", 21): false,
	} {
		assert.Equal(t, want, Phone(s), "%q", s)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		s        string
		required bool
		max      int
		problem  string
	}{
		{"", true, 0, "is required"},
		{"  ", true, 0, "is required"},
		{"", false, 10, ""},
		{"a\x00b", false, 0, "contains a NUL byte"},
		{"\xff", false, 0, "is not valid UTF-8"},
		{"abcdef", false, 5, "is 6 bytes, over the limit of 5"},
		{"abcde", true, 5, ""},
	} {
		var c errs.Collector
		Check(&c, "f", tc.s, tc.required, tc.max)
		if tc.problem == "" {
			assert.NoError(t, c.Err(), "%q", tc.s)
			continue
		}
		assert.ErrorContains(t, c.Err(), tc.problem, "%q", tc.s)
	}
}

func TestPageLimit(t *testing.T) {
	for in, want := range map[int]int{0: DefaultPage, 1: 1, MaxPage: MaxPage} {
		var c errs.Collector
		n := in
		PageLimit(&c, &n)
		assert.NoError(t, c.Err())
		assert.Equal(t, want, n)
	}
	for _, in := range []int{-1, MaxPage + 1} {
		var c errs.Collector
		n := in
		PageLimit(&c, &n)
		assert.True(t, c.Has("limit"), "%d", in)
	}
}

func TestCheckEmail(t *testing.T) {
	var c errs.Collector
	CheckEmail(&c, "email", "kim@example.com")
	assert.NoError(t, c.Err())
	CheckEmail(&c, "email", "Kim <kim@example.com>")
	assert.EqualError(t, c.Err(), `invalid: email: "Kim <kim@example.com>" is not a plain email address`)
}

func TestSuggest(t *testing.T) {
	names := []string{"status", "priority", "title", "tags", "customer_fields.size"}
	for in, want := range map[string]string{
		"Status":               "status",   // case
		" title ":              "title",    // white space
		"stauts":               "status",   // two typos
		"priorty":              "priority", // one
		"tag":                  "tags",     // short: one typo
		"customer_fields.sise": "customer_fields.size",
	} {
		got, ok := Suggest(in, names)
		assert.True(t, ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{"name", "tgas x", "", "statistics"} {
		got, ok := Suggest(in, names)
		assert.False(t, ok, "%q suggested %q", in, got)
	}
}

func TestMaskURL(t *testing.T) {
	for u, want := range map[string]string{
		"": "",
		"https://hook.dooray.com/services/1/2/SECRET": "https://hook.dooray.com/********",
		"http://user:pw@cb.example:8080/x?token=abc":  "http://cb.example:8080/********",
		"https://cb.example":                          "https://cb.example/********",
		"not a url":                                   Masked,
	} {
		assert.Equal(t, want, MaskURL(u), u)
		if u != "" {
			assert.True(t, IsMasked(MaskURL(u)), u)
		}
	}
	assert.False(t, IsMasked("https://hook.dooray.com/services/1/2/SECRET"))
}
