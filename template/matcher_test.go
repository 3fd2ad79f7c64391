package template_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/template"
)

func TestFold_FWD2_Normalisation(t *testing.T) {
	for in, want := range map[string]string{
		"ABC def":      "abc def",
		"ＡＢＣ１２３！":      "abc123!",   // full-width ASCII
		"ﾊﾟｿｺﾝ":        "パソコン",      // half-width katakana, voiced marks joined (NFC)
		"ﾡﾤ":           "ㄱㄴ",        // half-width Hangul jamo
		"\u1100\u1161": "가",         // conjoining jamo joined (NFC)
		"e\u0301":      "\u00e9",    // NFC
		"ÉCOLE":        "école",     // case of non-ASCII letters
		"ΣΊΣΥΦΟΣ ς":    "σίσυφοσ σ", // final sigma is sigma
		"Straße":       "straße",
		"\u212a":       "k", // Kelvin sign
		"바보":           "바보",
		"a\xffb":       "a\ufffdb",
	} {
		assert.Equal(t, want, template.Fold(in), "%q", in)
		assert.Equal(t, template.Fold(in), template.Fold(template.Fold(in)), "idempotent: %q", in)
	}
}

// hitTexts returns word@text[start:end] for each hit.
func hitTexts(text string, hits []template.Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Word+"@"+text[h.Start:h.End])
	}
	return out
}

func TestMatcher_FWD2_EveryWordWithItsOffset(t *testing.T) {
	m := template.NewMatcher([]string{"he", "she", "hers", "바보", "SCAM", "パソコン", "é", " ", "scam"})
	assert.Equal(t, 7, m.Len(), "blank and repeated (folded) words are one or none")
	text := "바보야, ｓｃａｍ and Scam! ushers ﾊﾟｿｺﾝ cafe\u0301 바보"
	hits := m.Find(text)
	assert.Equal(t, []string{
		"바보@바보", "SCAM@ｓｃａｍ", "SCAM@Scam", "she@she", "he@he", "hers@hers", "パソコン@ﾊﾟｿｺﾝ", "é@e\u0301", "바보@바보",
	}, hitTexts(text, hits), "every occurrence, overlapping ones too, as written in the original text")
	assert.Equal(t, template.Hit{Word: "바보", Start: 0, End: 6}, hits[0])
	for i := 1; i < len(hits); i++ {
		assert.LessOrEqual(t, hits[i-1].Start, hits[i].Start, "by start")
	}

	err := m.Check(text)
	var fe *template.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, template.ErrInvalid)
	assert.Equal(t, text, fe.Text)
	assert.Equal(t, hits, fe.Hits)
	assert.Equal(t, []string{"바보", "SCAM", "she", "he", "hers", "パソコン", "é"}, fe.Words())
	assert.Contains(t, err.Error(), `"바보" at bytes 0-6`)
	assert.NoError(t, m.Check("nothing to see"))
}

func TestMatcher_FWD2_EmptyList(t *testing.T) {
	var nilM *template.Matcher
	assert.Nil(t, nilM.Find("바보"))
	assert.NoError(t, nilM.Check("바보"))
	assert.Zero(t, nilM.Len())
	assert.Nil(t, template.NewMatcher(nil).Find("바보"))
	assert.Nil(t, template.NewMatcher([]string{"x"}).Find(""))
}

// reference counts the occurrences of every word in the folded text, the
// slow way.
func reference(words []string, text string) map[string]int {
	folded := template.Fold(text)
	out := map[string]int{}
	seen := map[string]bool{}
	for _, w := range words {
		p := template.Fold(strings.TrimSpace(w))
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		for i := 0; ; i++ {
			j := strings.Index(folded[i:], p)
			if j < 0 {
				break
			}
			out[w]++
			i += j
		}
	}
	return out
}

func count(hits []template.Hit) map[string]int {
	out := map[string]int{}
	for _, h := range hits {
		out[h.Word]++
	}
	return out
}

// TestMatcher_FWD2_LargeListAgreesWithReference: 10,000 words, texts made
// of pieces of them and noise, every occurrence found.
func TestMatcher_FWD2_LargeListAgreesWithReference(t *testing.T) {
	words := benchWords(10000)
	m := template.NewMatcher(words)
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		var b strings.Builder
		for range 200 {
			switch r.IntN(5) {
			case 0:
				w := words[r.IntN(len(words))]
				if r.IntN(2) == 0 {
					w = strings.ToUpper(w)
				}
				b.WriteString(w)
			case 1:
				w := []rune(words[r.IntN(len(words))])
				b.WriteString(string(w[:1+r.IntN(len(w))])) // a prefix
			case 2:
				b.WriteRune(rune(0xAC00 + r.IntN(11172)))
			default:
				b.WriteString(koWords[r.IntN(len(koWords))] + " ")
			}
		}
		text := b.String()
		hits := m.Find(text)
		require.Equal(t, reference(words, text), count(hits))
		for _, h := range hits {
			assert.Equal(t, template.Fold(h.Word), template.Fold(text[h.Start:h.End]))
		}
	}
}
