package template_test

import (
	"encoding/json"
	"html"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/template"
)

var allValues = template.Values{
	Content: "본문", TicketID: "1024", Title: "제목", CustomerName: "김고객", AgentName: "이상담", IntakeType: "배송",
	Fields: map[string]string{"order_no": "A-1", "plan_tier": "gold"},
}

func TestRender_TPL4_EveryCode(t *testing.T) {
	c, err := template.Parse("#{content}|#{ticketId}|#{title}|#{customerName}|#{agentName}|#{intakeType}|#{field.order_no}|#{field.plan_tier}|#{field.none}")
	require.NoError(t, err)
	assert.Equal(t, "본문|1024|제목|김고객|이상담|배송|A-1|gold|", c.Render(allValues, template.Text), "a field without a value renders empty")
	assert.Equal(t, []string{"content", "ticketId", "title", "customerName", "agentName", "intakeType",
		"field.order_no", "field.plan_tier", "field.none"}, c.Used())
	assert.True(t, c.Uses(template.CodeTitle))
	assert.True(t, c.Uses("field.order_no"))
	assert.False(t, c.Uses("field.other"))
	assert.False(t, c.Uses("nonsense"))
	assert.Len(t, template.Codes(), 6)
}

func TestRender_TPL4_ParseOnceRenderMany(t *testing.T) {
	c := template.MustParse("#{customerName}님, 문의 #{ticketId} 답변입니다.")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			v := template.Values{CustomerName: strings.Repeat("김", i+1), TicketID: "7"}
			assert.Equal(t, v.CustomerName+"님, 문의 7 답변입니다.", c.Render(v, template.Text))
		})
	}
	wg.Wait()
	assert.Equal(t, "", (&template.Compiled{}).Render(allValues, template.HTML), "the zero value renders empty")
	assert.Equal(t, "no codes", template.MustParse("no codes").Render(allValues, template.JSON))
}

func TestRender_TPL4_EscapedPerTarget(t *testing.T) {
	v := template.Values{Title: `<b>"Tom" & 'Jerry'</b>` + "\n\t\x01\u2028 \xff 한글"}
	c := template.MustParse(`<p title="#{title}">#{title}</p>`)
	assert.Equal(t, `<p title="`+html.EscapeString(v.Title)+`">`+html.EscapeString(v.Title)+`</p>`, c.Render(v, template.HTML),
		"the template's own HTML is kept, values escaped")
	assert.Equal(t, `<p title="`+v.Title+`">`+v.Title+`</p>`, c.Render(v, template.Text))

	j := template.MustParse(`{"text": "#{title}"}`).Render(v, template.JSON)
	var got struct{ Text string }
	require.NoError(t, json.Unmarshal([]byte(j), &got), j)
	assert.Equal(t, strings.ToValidUTF8(v.Title, "\uFFFD"), got.Text)
	want, err := json.Marshal(v.Title)
	require.NoError(t, err)
	assert.Equal(t, `{"text": `+string(want)+`}`, j, "escaped as encoding/json does")

	assert.Equal(t, "text", template.Text.String())
	assert.Equal(t, "html", template.HTML.String())
	assert.Equal(t, "json", template.JSON.String())
	assert.Equal(t, "Target(9)", template.Target(9).String())
}

func TestRender_TPL4_ValuesAreNotCodes(t *testing.T) {
	c := template.MustParse("#{content}")
	assert.Equal(t, "#{title} ##{x}", c.Render(template.Values{Content: "#{title} ##{x}", Title: "no"}, template.Text))
}

func TestRender_TPL4_LiteralHash(t *testing.T) {
	c, err := template.Parse("#1 ##{content} # #{title} #")
	require.NoError(t, err)
	assert.Equal(t, "#1 #{content} # 제목 #", c.Render(allValues, template.Text))
	assert.Equal(t, []string{"title"}, c.Used())
}

func TestTemplate_TPL4_UnknownCodeRefused(t *testing.T) {
	cases := []struct {
		text   string
		offset int
		code   string
		reason string
	}{
		{"Hello #{name}", 6, "name", "unknown code"},
		{"안녕 #{name}", 7, "name", "unknown code"}, // byte offsets, not runes
		{"#{Content}", 0, "Content", "did you mean #{content}?"},
		{"#{ title }", 0, " title ", "did you mean #{title}?"},
		{"#{titel}", 0, "titel", "unknown code (did you mean #{title}?)"}, // a typo
		{"#{agentNmae}", 0, "agentNmae", "did you mean #{agentName}?"},
		{"#{}", 0, "", "unknown code"},
		{"x #{title", 2, "title", "no closing }"},
		{"x #{title\n}", 2, "title", "no closing }"},
		{"#{field.}", 0, "field.", "without a key"},
		{"#{field.a b}", 0, "field.a b", "a-z first"},
		{"#{field.Plan}", 0, "field.Plan", "a-z first"},
		{"#{field." + strings.Repeat("k", 65) + "}", 0, "field." + strings.Repeat("k", 64), "over 64 bytes"}, // clipped
		{"#{" + strings.Repeat("z", 300) + "}", 0, strings.Repeat("z", 70), "unknown code"},
	}
	for _, c := range cases {
		_, err := template.Parse(c.text)
		require.ErrorIs(t, err, template.ErrInvalid, c.text)
		var pe *template.ParseError
		require.ErrorAs(t, err, &pe)
		require.Len(t, pe.Codes, 1, c.text)
		assert.Equal(t, c.offset, pe.Codes[0].Offset, c.text)
		assert.Equal(t, c.code, pe.Codes[0].Code, c.text)
		assert.Contains(t, pe.Codes[0].Reason, c.reason, c.text)
		assert.Contains(t, err.Error(), pe.Codes[0].String())
	}
	_, err := template.Parse("#{a} ok #{title} #{b")
	var pe *template.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Len(t, pe.Codes, 2, "every bad code, not only the first")
	assert.Panics(t, func() { template.MustParse("#{bad}") })
}
