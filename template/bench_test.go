package template_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deskkit/deskkit/template"
)

// benchWords returns n forbidden words, half Korean (2 to 4 syllables from
// all of Hangul), half English (5 to 10 letters, some capitalised); the
// first three are planted in benchReply. The same seed gives the same words,
// so the 100-word list is the start of the 10,000-word one.
func benchWords(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	out := []string{"바보같은", "Scammer", "사기꾼"}
	for len(out) < n {
		var b strings.Builder
		if len(out)%2 == 0 {
			for range 2 + r.IntN(3) {
				b.WriteRune(rune(0xAC00 + r.IntN(11172)))
			}
		} else {
			for i := range 5 + r.IntN(6) {
				c := byte('a' + r.IntN(26))
				if i == 0 && r.IntN(4) == 0 {
					c -= 'a' - 'A'
				}
				b.WriteByte(c)
			}
		}
		out = append(out, b.String())
	}
	return out[:n]
}

var (
	koWords = strings.Fields(`안녕하세요 고객님 문의 주신 내용 확인 결과 배송 지연 으로 불편을 드려 죄송합니다
		주문 번호 환불 처리 완료 되었습니다 영업일 이내 카드사 승인 취소 예정 입니다 추가 궁금한 점이
		있으시면 언제든지 연락 주시기 바랍니다 감사합니다 상담원 드림 교환 반품 접수 택배 기사 방문`)
	enWords = strings.Fields(`Hello order refund delivery please account password reset Thank you for
		contacting support team the your has been processed within business days If any questions
		reply to this email tracking number shipment Premium plan invoice`)
)

// benchReply returns a reply of about 10 KB mixing Korean and English, with
// the first three benchWords in it (one of them in full-width letters).
func benchReply() string {
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	planted := []string{"바보같은", "ＳＣＡＭＭＥＲ", "사기꾼"}
	for b.Len() < 10<<10 {
		for range 12 {
			if r.IntN(3) == 0 {
				b.WriteString(enWords[r.IntN(len(enWords))])
			} else {
				b.WriteString(koWords[r.IntN(len(koWords))])
			}
			b.WriteByte(' ')
		}
		if b.Len() > 3000 && len(planted) > 0 && r.IntN(4) == 0 {
			b.WriteString(planted[0] + " ")
			planted = planted[1:]
		}
		b.WriteString(".\n")
	}
	for _, p := range planted {
		b.WriteString(p + " ")
	}
	return b.String()
}

func benchMatcher(b *testing.B, n int) {
	words, text := benchWords(n), benchReply()
	m := template.NewMatcher(words) // built once per list, not per reply
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if hits := m.Find(text); len(hits) != 3 {
			b.Fatalf("%d hits, want 3: %v", len(hits), hits)
		}
	}
}

// naive is the way the matcher is measured against: lower-case the text,
// then one strings.Contains per (lower-cased) word.
func benchNaive(b *testing.B, n int) {
	words, text := benchWords(n), benchReply()
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t := strings.ToLower(text)
		found := 0
		for _, w := range lower {
			if strings.Contains(t, w) {
				found++
			}
		}
		if found != 2 { // the naive way misses the full-width word
			b.Fatalf("%d found, want 2", found)
		}
	}
}

func BenchmarkForbidden_100Words(b *testing.B)        { benchMatcher(b, 100) }
func BenchmarkForbidden_10000Words(b *testing.B)      { benchMatcher(b, 10000) }
func BenchmarkForbiddenNaive_100Words(b *testing.B)   { benchNaive(b, 100) }
func BenchmarkForbiddenNaive_10000Words(b *testing.B) { benchNaive(b, 10000) }

// BenchmarkNewMatcher_10000Words is the cost of a list change.
func BenchmarkNewMatcher_10000Words(b *testing.B) {
	words := benchWords(10000)
	b.ReportAllocs()
	for b.Loop() {
		template.NewMatcher(words)
	}
}

var renderValues = template.Values{
	Content: "주문하신 상품이 아직 도착하지 않았습니다. <확인> 부탁드립니다.", TicketID: "1024",
	Title: "배송 문의 \"급함\"", CustomerName: "김민수", AgentName: "이상담", IntakeType: "배송",
	Fields: map[string]string{"order": "A-123", "plan": "Premium", "city": "서울", "tier": "gold"},
}

const renderText = `#{customerName}님, 안녕하세요. 문의 #{ticketId} "#{title}" (#{intakeType}) 답변드립니다.
주문 #{field.order} / 요금제 #{field.plan} / 지역 #{field.city} / 등급 #{field.tier}
> #{content}
상담원 #{agentName} 드림`

// BenchmarkRender_10Codes renders a compiled text with 10 codes.
func BenchmarkRender_10Codes(b *testing.B) {
	c := template.MustParse(renderText)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Render(renderValues, template.HTML)
	}
}

// BenchmarkRenderReplacer_10Codes is the baseline: a strings.Replacer with
// the same values escaped, built per render as the values change per
// ticket.
func BenchmarkRenderReplacer_10Codes(b *testing.B) {
	v := renderValues
	esc := template.MustParse("#{content}")
	e := func(s string) string { return esc.Render(template.Values{Content: s}, template.HTML) }
	b.ReportAllocs()
	for b.Loop() {
		r := strings.NewReplacer("#{content}", e(v.Content), "#{ticketId}", e(v.TicketID), "#{title}", e(v.Title),
			"#{customerName}", e(v.CustomerName), "#{agentName}", e(v.AgentName), "#{intakeType}", e(v.IntakeType),
			"#{field.order}", e(v.Fields["order"]), "#{field.plan}", e(v.Fields["plan"]),
			"#{field.city}", e(v.Fields["city"]), "#{field.tier}", e(v.Fields["tier"]))
		_ = r.Replace(renderText)
	}
}
