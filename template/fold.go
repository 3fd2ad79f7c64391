package template

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Fold returns s in the form forbidden words, search codes and search words
// are compared in (FWD-2): every rune width-folded (full-width ASCII to
// ASCII, half-width katakana and Hangul to their usual forms) and
// case-folded (simple folding: upper, title and lower case are one), then
// the whole text in NFC. Invalid UTF-8 bytes become U+FFFD. Fold is
// idempotent: Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	if foldedASCII(s) {
		return s
	}
	f := folderPool.Get().(*folder)
	defer folderPool.Put(f)
	f.fold(s)
	return string(f.out)
}

// foldedASCII reports whether s is ASCII without upper-case letters: its
// own fold.
func foldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// foldRune is the per-rune part of Fold.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case 0xAC00 <= r && r <= 0xD7A3, 0x4E00 <= r && r <= 0x9FFF: // Hangul syllables, CJK ideographs
		return r
	}
	if w := width.LookupRune(r).Folded(); w != 0 {
		r = w
	}
	// ToLower(ToUpper(r)) joins the cases that ToLower alone keeps apart
	// (final sigma, long s, Kelvin sign ...).
	return unicode.ToLower(unicode.ToUpper(r))
}

// nfcSafe reports whether r is in NFC whatever surrounds it: a starter
// (combining class 0) that NFC keeps and that never combines with what
// comes before it. It knows the scripts replies are mostly written in;
// for others the text is checked by the norm package.
func nfcSafe(r rune) bool {
	switch {
	case r < utf8.RuneSelf,
		0xA0 <= r && r <= 0xFF && r != 0xD7 && r != 0xF7,       // Latin-1 letters and signs
		0x3041 <= r && r <= 0x3096, 0x30A1 <= r && r <= 0x30FA, // kana, not the combining sound marks
		0x3131 <= r && r <= 0x318E, // Hangul compatibility jamo
		0x4E00 <= r && r <= 0x9FFF, // CJK unified ideographs
		0xAC00 <= r && r <= 0xD7A3: // Hangul syllables
		return true
	}
	return false
}

// edit records where a folded rune changed length: from out offset end
// on, the text's offset is the out offset plus delta.
type edit struct{ end, delta int }

// folder folds a text and keeps, when asked, where each folded byte came
// from. Its buffers are reused through folderPool.
type folder struct {
	out []byte // the folded text

	// Where out came from: when perByte is false, out is the text with
	// each rune folded, and an out offset x on a rune boundary is x plus
	// the delta of the last edit ending at or before x (no edit: x).
	// When NFC changed the text, src has for each byte of out the offset
	// in the text of the rune or NFC segment it came from.
	edits   []edit
	perByte bool
	src     []int

	mid    []byte // scratch: the text with every rune folded
	midSrc []int  // scratch: for each byte of mid, its rune's offset in the text
}

// fold folds s into f.out and records the way back.
func (f *folder) fold(s string) {
	f.out, f.edits, f.src, f.mid, f.midSrc = f.out[:0], f.edits[:0], f.src[:0], f.mid[:0], f.midSrc[:0]
	f.perByte = false
	if safe := f.foldRunes(s); safe || norm.NFC.QuickSpan(f.out) == len(f.out) {
		return
	}
	// NFC joins or reorders runes (rare: decomposed or unusual input):
	// fold again, keeping for each byte where it came from, and map every
	// byte of the NFC result.
	f.perByte = true
	f.mid, f.midSrc = f.mid[:0], f.midSrc[:0]
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		before := len(f.mid)
		f.mid = utf8.AppendRune(f.mid, foldRune(r))
		for range len(f.mid) - before {
			f.midSrc = append(f.midSrc, i)
		}
		i += n
	}
	n := norm.NFC.QuickSpan(f.mid)
	f.out = append(f.out[:0], f.mid[:n]...)
	f.src = append(f.src, f.midSrc[:n]...)
	var it norm.Iter
	it.Init(norm.NFC, f.mid[n:])
	for !it.Done() {
		p := n + it.Pos()
		seg := it.Next()
		f.out = append(f.out, seg...)
		for range seg {
			f.src = append(f.src, f.midSrc[p])
		}
	}
}

// foldRunes writes s with every rune folded to f.out, recording an edit
// where a rune changed length. It reports whether every rune is nfcSafe.
func (f *folder) foldRunes(s string) bool {
	safe := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			f.out = append(f.out, c)
			i++
			continue
		}
		if 0xEA <= c && c <= 0xED && i+2 < len(s) { // Hangul syllables are their own fold
			if r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F); 0xAC00 <= r && r <= 0xD7A3 &&
				s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
				f.out = append(f.out, c, s[i+1], s[i+2])
				i += 3
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		fr := foldRune(r) // RuneError for an invalid byte
		safe = safe && nfcSafe(fr)
		f.out = utf8.AppendRune(f.out, fr)
		i += n
		if i != len(f.out)+f.delta() {
			f.edits = append(f.edits, edit{end: len(f.out), delta: i - len(f.out)})
		}
	}
	return safe
}

// delta is the text's offset minus the out offset after the last edit.
func (f *folder) delta() int {
	if len(f.edits) == 0 {
		return 0
	}
	return f.edits[len(f.edits)-1].delta
}

// span returns the offsets in the original text (of length n) of the folded
// bytes out[fs:fe], which start and end on rune boundaries: from the start
// of the rune or NFC segment fs came from to the end of the one fe-1 came
// from.
func (f *folder) span(fs, fe, n int) (int, int) {
	if !f.perByte {
		return f.at(fs), f.at(fe)
	}
	last := f.src[fe-1]
	for j := fe; j < len(f.src); j++ {
		if f.src[j] != last {
			return f.src[fs], f.src[j]
		}
	}
	return f.src[fs], n
}

// at maps an out offset on a rune boundary to the text's offset, when
// perByte is false.
func (f *folder) at(x int) int {
	k, _ := slices.BinarySearchFunc(f.edits, x, func(e edit, x int) int {
		if e.end <= x {
			return -1
		}
		return 1
	})
	if k == 0 {
		return x
	}
	return x + f.edits[k-1].delta
}
