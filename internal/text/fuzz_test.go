package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskkit/deskkit/internal/errs"
)

// FuzzCheck: Check accepts exactly the texts every store keeps — valid
// UTF-8, no NUL byte, within the limit — and so do CheckMap (keys and
// values) and CheckList. The kept corpus (testdata/fuzz/FuzzCheck) holds a
// NUL, invalid UTF-8, an oversize text and the six characters \u0000.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "a", "a\x00b", "\xff", "\xc3", `\u0000`, `\\u0000`, strings.Repeat("x", 101), "한국어"} {
		f.Add(s, 100)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1 << 16
		if max < 0 {
			max = -max
		}
		keeps := utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && (max == 0 || len(s) <= max)
		if Valid(s, max) != keeps {
			t.Fatalf("Valid(%q, %d) = %v", s, max, !keeps)
		}
		var c errs.Collector
		Check(&c, "f", s, false, max)
		if (c.Err() == nil) != keeps {
			t.Fatalf("Check(%q, %d) accepted: %v, want %v", s, max, c.Err() == nil, keeps)
		}
		var mc errs.Collector
		CheckMap(&mc, "m", map[string]string{"ko": s, s: "v"}, max)
		keyOK := strings.TrimSpace(s) != "" && Valid(s, KeyBytes)
		if mc.Err() == nil && (!keeps || !keyOK) {
			t.Fatalf("CheckMap accepted %q (max %d)", s, max)
		}
		var lc errs.Collector
		CheckList(&lc, "l", []string{"a", s}, max)
		if lc.Err() == nil && (!keeps || strings.TrimSpace(s) == "") {
			t.Fatalf("CheckList accepted %q (max %d)", s, max)
		}
	})
}
