package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/template"
)

// wholeIn reports, for word alone in a matcher, whether ScanWords finds it
// in text at all and whether any occurrence is whole.
func wholeIn(word, text string) (found, whole bool) {
	template.NewMatcher([]string{word}).ScanWords(text, func(_ int, w bool) {
		found = true
		whole = whole || w
	})
	return found, whole
}

// TestMatcher_TRG4_ScanWordsWholeWords: ScanWords reports every occurrence
// Scan does, and whether it is a whole word: letters and digits of spaced
// scripts must not go on either side, Hangul may go on after the word
// (particles) but not before it, unspaced scripts (Han, kana) always part,
// and so do punctuation and a change of script.
func TestMatcher_TRG4_ScanWordsWholeWords(t *testing.T) {
	for _, c := range []struct {
		word, text string
		whole      bool
	}{
		{"refund", "refund", true},
		{"refund", "Refund, please", true},
		{"refund", "I want a REFUND.", true},
		{"refund", "(refund)", true},
		{"refund", "ＲＥＦＵＮＤ please", true}, // full width folds to ASCII
		{"refund", "nonrefundable", false},
		{"refund", "refunds", false},
		{"refund", "prerefund", false},
		{"refund", "refund_request", true}, // underscore is punctuation
		{"order 42", "your order 42 is late", true},
		{"order 42", "your order 420", false},
		{"42", "420", false},
		{"42", "order #42!", true},
		{"café", "Cafe\u0301 au lait", true}, // NFC
		{"cafe", "café", false},              // not even a substring after NFC
		{"環境", "環境問題について", true},             // Han: no spaces between words
		{"問題", "環境問題について", true},
		{"パソコン", "新しいﾊﾟｿｺﾝです", true}, // kana, half width folded
		{"환불", "환불", true},
		{"환불", "환불을 요청합니다", true}, // particle
		{"환불", "환불해 주세요", true},   // ending
		{"환불", "빠른 환불이 필요", true},
		{"환불", "부분환불 요청", false}, // must start a word
		{"환불", "refund환불", true}, // change of script
		{"iphone", "iPhone을 샀어요", true},
		{"iphone", "iPhones", false},
		{"bigcorp.com", "kim@bigcorp.com", true},
		{"@bigcorp.com", "kim@bigcorp.com", true}, // an end that is not a letter needs no boundary
		{"corp", "kim@bigcorp.com", false},
		{"σοφία", "Η ΣΟΦΊΑ.", true},
		{"σοφ", "σοφία", false},
		{"привет", "Привет, мир", true},
		{"привет", "приветствую", false},
	} {
		found, whole := wholeIn(c.word, c.text)
		if c.word != "cafe" {
			assert.True(t, found, "%q in %q: found", c.word, c.text)
		}
		assert.Equal(t, c.whole, whole, "%q in %q: whole", c.word, c.text)
	}
}

// TestMatcher_TRG4_ScanWordsEveryOccurrence: ScanWords calls found once per
// occurrence, with the word indexes Scan gives, each occurrence judged on
// its own.
func TestMatcher_TRG4_ScanWordsEveryOccurrence(t *testing.T) {
	m := template.NewMatcher([]string{"refund", "", "REFUND", "fund"})
	text := "nonrefundable? No: a refund."
	var scan []int
	m.Scan(text, func(w int) { scan = append(scan, w) })
	type hit struct {
		word  int
		whole bool
	}
	var got []hit
	var words []int
	m.ScanWords(text, func(w int, whole bool) {
		got = append(got, hit{w, whole})
		words = append(words, w)
	})
	assert.Equal(t, scan, words)
	assert.Equal(t, []hit{{0, false}, {1, false}, {0, true}, {1, false}}, got)
	template.NewMatcher(nil).ScanWords(text, func(int, bool) { t.Fatal("no words") })
}
