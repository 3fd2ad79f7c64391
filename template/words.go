package template

import (
	"unicode"
	"unicode/utf8"
)

// ScanWords is Scan that also reports, with whole, whether each occurrence
// is a whole word of the text (or whole words, for a listed phrase). It
// does not allocate.
//
// Whole is decided on the folded text (Fold), at each end of the
// occurrence, by the kind of character on either side:
//
//   - Letters, digits and combining marks of scripts written with spaces
//     (Latin, Cyrillic, Greek ...) make words: an occurrence must not
//     continue a word on either side. "refund" is whole in "Refund,
//     please" and "a refund." but not in "nonrefundable" or "refunds";
//     "42" is not whole in "420".
//   - Hangul words carry their particles and endings written together
//     with them, so an occurrence that ends in Hangul may be followed by
//     more Hangul: "환불" is whole in "환불을", "환불이" and "환불해 주세요".
//     It must still start a word: "환불" is not whole in "부분환불".
//   - Han ideographs, kana, Thai, Lao, Khmer and Myanmar are written
//     without spaces between words: an end of the occurrence in one of
//     them is always a boundary (on that side the test is the substring
//     one).
//   - Anything else (spaces, punctuation, symbols) separates words, and a
//     change of script does too: "iPhone" is whole in "iPhone을", and
//     "bigcorp.com" in "kim@bigcorp.com".
//
// An end of the listed word that is not itself a letter or digit needs
// no boundary: "@bigcorp.com" is whole in "kim@bigcorp.com".
func (m *Matcher) ScanWords(text string, found func(word int, whole bool)) {
	if m.Len() == 0 || text == "" {
		return
	}
	f := folderPool.Get().(*folder)
	f.fold(text)
	m.walk(f.out, func(end int, id int32) {
		found(int(id), wholeWord(f.out, end-m.lens[id], end))
	})
	folderPool.Put(f)
}

// wordClass is the kind of a character for word boundaries (ScanWords).
type wordClass uint8

const (
	notWord  wordClass = iota // spaces, punctuation, symbols
	spaced                    // letters, digits and marks of scripts written with spaces
	hangul                    // Hangul
	unspaced                  // Han, kana, Thai ...: written without spaces
)

// classOf returns the word class of r.
func classOf(r rune) wordClass {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return spaced
		}
		return notWord
	}
	switch {
	case 0xAC00 <= r && r <= 0xD7A3, unicode.Is(unicode.Hangul, r):
		return hangul
	case 0x4E00 <= r && r <= 0x9FFF,
		unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar):
		return unspaced
	case r == 0x30FC: // the katakana prolonged sound mark (script Common)
		return unspaced
	case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r):
		return spaced
	}
	return notWord
}

// wholeWord reports whether folded[start:end], an occurrence of a word,
// is whole: see ScanWords.
func wholeWord(folded []byte, start, end int) bool {
	first, _ := utf8.DecodeRune(folded[start:end])
	last, _ := utf8.DecodeLastRune(folded[start:end])
	before, after := notWord, notWord
	if start > 0 {
		r, _ := utf8.DecodeLastRune(folded[:start])
		before = classOf(r)
	}
	if end < len(folded) {
		r, _ := utf8.DecodeRune(folded[end:])
		after = classOf(r)
	}
	return boundary(before, classOf(first), false) && boundary(classOf(last), after, true)
}

// boundary reports whether words may part between a character of class
// left and one of class right. At the end of an occurrence (atEnd) Hangul
// may go on in Hangul: particles and endings.
func boundary(left, right wordClass, atEnd bool) bool {
	switch {
	case left == notWord || right == notWord, left == unspaced || right == unspaced:
		return true
	case left != right:
		return true // a change of script
	case left == hangul:
		return atEnd
	}
	return false
}
