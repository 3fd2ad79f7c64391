package category

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// MaxNameBytes bounds one language's name.
const MaxNameBytes = text.NameBytes

// NameKey is the form in which two names are compared for uniqueness
// (CAT-3): compatibility-normalised (NFKC: full-width "Ａ" is "A"),
// lower-cased, with runs of white space made one space and the ends
// trimmed. "Billing", " billing " and "ＢＩＬＬＩＮＧ" are the same name.
func NameKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), " ")
}

// CheckName normalises a per-language name and returns it with a
// *problem.ValidationError (helpdesk.ValidationError) that names every
// problem, each on field "<field>.<lang>": a language that is not one of
// langs, a text over MaxNameBytes or with control characters, a missing
// name in the default language def (SVC-2); the error is nil when there
// are none. Language tags are made canonical ("EN" is "en"), texts trimmed
// and NFC-normalised, and empty texts dropped (they fall back to the
// default language).
func CheckName(field string, name i18n.Text, langs []string, def string) (i18n.Text, error) {
	var c errs.Collector
	out := make(i18n.Text, len(name))
	for _, tag := range name.Langs() {
		text := strings.TrimSpace(norm.NFC.String(name[tag]))
		lang, err := i18n.Canonical(tag)
		switch {
		case err != nil:
			c.Add(field+"."+tag, "%v", err)
			continue
		case !slices.Contains(langs, lang):
			c.Add(field+"."+tag, "%q is not one of the service's languages %v", tag, langs)
			continue
		case !utf8.ValidString(name[tag]):
			c.Add(field+"."+lang, "is not valid UTF-8")
		case text == "":
			continue
		case len(text) > MaxNameBytes:
			c.Add(field+"."+lang, "is over %d bytes", MaxNameBytes)
		case strings.IndexFunc(text, unicode.IsControl) >= 0:
			c.Add(field+"."+lang, "has control characters")
		}
		if _, dup := out[lang]; dup {
			c.Add(field+"."+tag, "the language %q is given twice", lang)
		}
		out[lang] = text
	}
	if out[def] == "" && !c.Has(field+"."+def) {
		c.Add(field+"."+def, "a name in the service's default language %q is required (SVC-2)", def)
	}
	return out, c.Err()
}

// FindClashes returns the names of c that a category of others uses on
// level, in c's tree, language by language (CAT-3). Deleted categories, c
// itself and those skip reports true for are not compared; skip may be
// nil. The plan functions use it to check a create, rename or move the
// same way.
func FindClashes(c Category, level int, others []Category, skip func(id string) bool) []Clash {
	keys := make(map[string]string, len(c.Name))
	for lang, n := range c.Name {
		if n != "" {
			keys[lang] = NameKey(n)
		}
	}
	var out []Clash
	for _, o := range others {
		if o.Deleted || o.ID == c.ID || o.Tree != c.Tree || o.Level() != level || (skip != nil && skip(o.ID)) {
			continue
		}
		for lang, n := range o.Name {
			if k, ok := keys[lang]; ok && n != "" && NameKey(n) == k {
				out = append(out, Clash{Tree: c.Tree, Level: level, Lang: lang, ID: c.ID, Name: c.Name[lang],
					ExistingID: o.ID, ExistingName: n})
			}
		}
	}
	return out
}
