package template

import (
	"encoding/json"
	"errors"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fuzz targets check the renderer's parser and the normaliser against
// their contracts. Seeds are here and in testdata/fuzz; run one with
// go test -run XXX -fuzz FuzzFold ./template/.

var foldSeeds = []string{
	"", "abc", "ABC def", "ＡＢＣ１２３", "ﾊﾟｿｺﾝ", "ｶﾞｷﾞ", "ﾡﾤ", "\u1100\u1161\u11a8", "가\u11a8", "e\u0301", "q\u0303\u0323",
	"ΣΊΣΥΦΟΣ ς", "Straße ẞ", "\u212a\u212b", "İı", "a\xffb", "\xed\xa0\x80", "바보야 ｂａｄ", "\u0345", "ǅ", "\ufb01",
	"\u0f73\u0f75", "\u1e9b\u0323", "한국어 English 日本語", "\uff9e\uff9f", "\u3099",
}

func FuzzFold(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Fold(%q) = %q: not valid UTF-8", s, out)
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("Fold(%q) = %q: not NFC", s, out)
		}
		if again := Fold(out); again != out {
			t.Fatalf("Fold not idempotent: Fold(%q) = %q, Fold(that) = %q", s, out, again)
		}
		// The way back: every rune boundary of the folded text maps into
		// the original, in order, onto rune boundaries, the end onto the
		// end.
		var fl folder
		fl.fold(s)
		if string(fl.out) != out {
			t.Fatalf("folder and Fold differ on %q", s)
		}
		boundary := map[int]bool{len(s): true} // where decoding s steps, invalid bytes one by one
		for i := 0; i < len(s); {
			boundary[i] = true
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
		prev := 0
		for x := 0; x <= len(fl.out); x++ {
			if x < len(fl.out) && !utf8.RuneStart(fl.out[x]) {
				continue
			}
			start, end := 0, 0
			if x < len(fl.out) {
				start, _ = fl.span(x, x+utf8RuneLen(fl.out[x:]), len(s))
			}
			if x > 0 {
				_, end = fl.span(lastRuneStart(fl.out[:x]), x, len(s))
			}
			if x == len(fl.out) && end != len(s) {
				t.Fatalf("%q: the folded end maps to %d, not %d", s, end, len(s))
			}
			for _, o := range []int{start, end} {
				if !boundary[o] {
					t.Fatalf("%q: folded offset %d maps to %d, not a rune boundary", s, x, o)
				}
			}
			if x < len(fl.out) {
				if start < prev {
					t.Fatalf("%q: folded offset %d maps to %d, before %d", s, x, start, prev)
				}
				prev = start
			}
		}
	})
}

func utf8RuneLen(b []byte) int {
	_, n := utf8.DecodeRune(b)
	return n
}

func lastRuneStart(b []byte) int {
	_, n := utf8.DecodeLastRune(b)
	return len(b) - n
}

func FuzzMatcher(f *testing.F) {
	f.Add("바보야 ｂａｄ ushers ﾊﾟｿｺﾝ", "바보", "BAD", "he")
	f.Add("cafe\u0301 cafe", "café", "e", "cafe")
	f.Add("aaaa", "a", "aa", "aaa")
	f.Add("\u1100\u1161\u11a8", "가", "각", "\u11a8")
	f.Fuzz(func(t *testing.T, text, w1, w2, w3 string) {
		words := []string{w1, w2, w3}
		m := NewMatcher(words)
		hits := m.Find(text)
		// every occurrence in the folded text, the slow way
		folded := Fold(text)
		want := map[string]int{}
		seen := map[string]bool{}
		for _, w := range words {
			p := Fold(strings.TrimSpace(w))
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			for i := 0; ; i++ {
				j := strings.Index(folded[i:], p)
				if j < 0 {
					break
				}
				want[w]++
				i += j
			}
		}
		got := map[string]int{}
		for i, h := range hits {
			got[h.Word]++
			if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
				t.Fatalf("hit %+v out of the text (%d bytes)", h, len(text))
			}
			if i > 0 && hits[i-1].Start > h.Start {
				t.Fatalf("hits out of order: %+v", hits)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("Find(%q) with %q: %v, want %v", text, words, got, want)
		}
		for w, n := range want {
			if got[w] != n {
				t.Fatalf("Find(%q) with %q: %v, want %v", text, words, got, want)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "plain", "#{content}", "Hi #{customerName}, #{ticketId} #{title} #{agentName} #{intakeType}",
		"#{field.order_no} #{field.a.b-c}", "##{content}", "###{title}", "#{", "#{title", "#{title\n}", "#{}",
		"#{nope}", "#{field.}", "# #{ #{title}", "안녕 #{Content}", "#{field.키}",
	} {
		f.Add(s, `<"v" & '한'>`)
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		c, err := Parse(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Codes) == 0 {
				t.Fatalf("Parse(%q): %v, not a *ParseError with codes", text, err)
			}
			prev := -1
			for _, ce := range pe.Codes {
				if ce.Offset <= prev || ce.Offset+2 > len(text) || text[ce.Offset:ce.Offset+2] != "#{" {
					t.Fatalf("Parse(%q): bad offset %d in %v", text, ce.Offset, pe.Codes)
				}
				prev = ce.Offset
			}
			return
		}
		if c.Source() != text {
			t.Fatalf("Source() = %q, want %q", c.Source(), text)
		}
		// With every code rendering as itself, an unescaped text comes back.
		self := Values{Content: "#{content}", TicketID: "#{ticketId}", Title: "#{title}", CustomerName: "#{customerName}",
			AgentName: "#{agentName}", IntakeType: "#{intakeType}", Fields: map[string]string{}}
		for _, u := range c.Used() {
			if k, ok := strings.CutPrefix(u, FieldPrefix); ok {
				self.Fields[k] = "#{" + u + "}"
			}
		}
		if !strings.Contains(text, "##{") {
			if got := c.Render(self, Text); got != text {
				t.Fatalf("Parse(%q) renders itself as %q", text, got)
			}
		}
		// Values come out escaped for each target.
		v := Values{Content: value}
		if got := MustParse("#{content}").Render(v, HTML); html.UnescapeString(got) != value || strings.ContainsAny(got, `<>"'`) {
			t.Fatalf("HTML escape of %q: %q", value, got)
		}
		var back, want string
		ref, _ := json.Marshal(value)
		_ = json.Unmarshal(ref, &want) // invalid UTF-8 as encoding/json reads it
		if err := json.Unmarshal([]byte(`"`+MustParse("#{content}").Render(v, JSON)+`"`), &back); err != nil || back != want {
			t.Fatalf("JSON escape of %q: %q, want %q (%v)", value, back, want, err)
		}
		for _, target := range []Target{Text, HTML, JSON} {
			_ = c.Render(Values{Content: value, Title: value, Fields: map[string]string{"x": value}}, target)
		}
	})
}
