package template_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/template"
)

// Parse a reply once, render it for each ticket, and check it for forbidden
// words before it is sent.
func Example() {
	reply := template.MustParse("#{customerName}님, 문의 #{ticketId} (#{field.order}) 답변드립니다.")
	text := reply.Render(template.Values{CustomerName: "김민수", TicketID: "1024",
		Fields: map[string]string{"order": "A-17"}}, template.Text)
	fmt.Println(text)

	words := template.NewMatcher([]string{"바보", "SCAM"}) // once per list
	for _, h := range words.Find("이건 ｓｃａｍ 이에요, 바보") {
		fmt.Printf("%s at bytes %d-%d\n", h.Word, h.Start, h.End)
	}
	// Output:
	// 김민수님, 문의 1024 (A-17) 답변드립니다.
	// SCAM at bytes 7-19
	// 바보 at bytes 31-37
}

func ExampleParse() {
	_, err := template.Parse("안녕하세요 #{customerName}님, #{ticketID} 건입니다.")
	var pe *template.ParseError
	if errors.As(err, &pe) {
		for _, c := range pe.Codes {
			fmt.Println(c.Offset, c.Code, "-", c.Reason)
		}
	}
	// Output:
	// 36 ticketID - unknown code (did you mean #{ticketId}?)
}

func ExampleCompiled_Render() {
	c := template.MustParse(`{"text": "#{title}"}`)
	fmt.Println(c.Render(template.Values{Title: `Say "hi" <now>`}, template.JSON))
	// Output:
	// {"text": "Say \"hi\" \u003cnow\u003e"}
}
