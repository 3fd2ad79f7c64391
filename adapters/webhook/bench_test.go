package webhook_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/deskkit/deskkit/adapters/webhook"
)

var benchBody = []byte(`{"id":"0193a0c4-7b8e-7d2a-9c1e-4f5a6b7c8d9e","title":"` + strings.Repeat("환불 요청 ", 100) + `"}`)

// BenchmarkSign signs a callback with two secrets (a rotation, SEC-2);
// BenchmarkSign_Baseline hashes the same body twice with plain SHA-256.
func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = webhook.Sign([]string{"new-secret", "old-secret"}, "1796644800", benchBody)
	}
}

func BenchmarkSign_Baseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = sha256.Sum256(benchBody)
		_ = sha256.Sum256(benchBody)
	}
}
