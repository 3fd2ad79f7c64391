package i18n

import (
	"fmt"
	"slices"

	"golang.org/x/text/language"
)

// Text is one text in several languages, keyed by BCP 47 tag ("ko", "en").
type Text map[string]string

// Get returns the text for lang, else for def (the service's default
// language), else "" (SVC-2).
func (t Text) Get(lang, def string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t[def]
}

// Clone returns a copy that shares no memory with t.
func (t Text) Clone() Text {
	if t == nil {
		return nil
	}
	c := make(Text, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

// Langs returns the languages present in t, sorted.
func (t Text) Langs() []string {
	ls := make([]string, 0, len(t))
	for k := range t {
		ls = append(ls, k)
	}
	slices.Sort(ls)
	return ls
}

// Canonical parses tag as BCP 47 and returns its canonical form ("EN-us" →
// "en-US"). It returns an error for a malformed tag.
func Canonical(tag string) (string, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("language %q: %w", tag, err)
	}
	return t.String(), nil
}
