package nhnsms_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskkit/deskkit/adapters/nhnsms"
)

// benchText is a typical LMS: Korean and ASCII mixed, about 600 bytes in
// EUC-KR.
var benchText = strings.Repeat("고객님의 문의 #1024 가 접수되었습니다. ", 15)

// BenchmarkEUCKRLen measures the EUC-KR length check every SMS passes
// (SMS-2); BenchmarkEUCKRLen_Baseline counts the runes of the same text,
// the least any length check must do.
func BenchmarkEUCKRLen(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nhnsms.EUCKRLen(benchText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEUCKRLen_Baseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if utf8.RuneCountInString(benchText) == 0 {
			b.Fatal("empty")
		}
	}
}
