package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// chromium returns the Chromium to drive: $DESKKIT_CHROMIUM, else
// chromium on PATH. Without one the browser tests skip, but fail when CI
// is set (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DESKKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH (set DESKKIT_CHROMIUM); CI needs it for the console tests")
	}
	t.Skip("no Chromium on PATH; install Debian's chromium to run the console tests")
	return ""
}

// openBrowser opens a headless Chromium tab at 1280×800 and returns its
// context, and a func that returns the JavaScript exceptions and console
// errors the page has had so far.
func openBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx)) // starts the browser (no timeout on this first call)

	var mu sync.Mutex
	var pageErrors []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A 422 is the API's answer to a reply with forbidden words:
			// the page expects it, the browser logs it as a failed load.
			expected := strings.Contains(m.Text, "status of 422")
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !expected {
				mu.Lock()
				pageErrors = append(pageErrors, m.Text)
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(pageErrors)
	}
}

// shots writes the console's screenshots to a directory that outlives the
// test, and logs where.
type shots struct {
	t   *testing.T
	dir string
	n   int
}

func newShots(t *testing.T) *shots {
	dir, err := os.MkdirTemp("", "deskkit-console-")
	require.NoError(t, err)
	t.Logf("console screenshots (1280×800): %s", dir)
	return &shots{t: t, dir: dir}
}

func (s *shots) take(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		s.n++
		return chromedp.Void{}, os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name)), png, 0o644)
	}
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, tg)
		if err != nil {
			err = fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, err
	}
}

// js runs a JavaScript expression for its effect.
func js(expr string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](expr) }

// jsValue runs a JavaScript expression and returns its value.
func jsValue[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// The console in a real browser: the seeded tickets are listed; a mail
// sent to the support address comes in through SMTP, IMAP and the poller
// (MAIL-1) and appears in the open list without a reload; a reply with a
// template (TPL-4) warns about a forbidden word before it is sent (FWD-2),
// and goes once the word is gone; the trigger list and a dry run (TRG-8)
// show; the fakes' view lists the automatic mail; the language switches.
func TestConsole_Browser(t *testing.T) {
	ctx, pageErrors := openBrowser(t)
	d, err := Start(context.Background(), Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	shot := newShots(t)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(d.HTTPURL+"/"),
		waitJS(`document.querySelectorAll('#ticket-rows tr[data-id]').length === 3`),
		waitJS(`document.querySelector('#stream-state').classList.contains('live')`),
		js(`window.notReloaded = true`),
		shot.take("tickets"),
	))
	titles, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#ticket-rows`)))
	require.NoError(t, err)
	for _, want := range []string{"환불 요청드립니다", "Where is my parcel?", "비밀번호 재설정 메일이 오지 않아요"} {
		assert.Contains(t, titles, want, "seeded ticket listed")
	}

	// A customer's mail becomes a ticket that appears live; the delivery
	// trigger gives it to the delivery team, and the team's browser
	// notification (NTF-4) reaches the admin, a member, over SSE.
	subject := fmt.Sprintf("배송 문의 %d", time.Now().UnixNano())
	require.NoError(t, d.SendMail(CustomerMail{FromName: "이영희", From: "younghee@customer.example",
		Subject: subject, Body: "어제 주문한 책의 배송을 취소하고 싶습니다."}))
	require.NoError(t, chromedp.Do(ctx,
		waitJS(fmt.Sprintf(`[...document.querySelectorAll('#ticket-rows tr')].some(r => r.textContent.includes(%q))`, subject)),
		waitJS(fmt.Sprintf(`[...document.querySelectorAll('#inbox-list li')].some(li => li.textContent.includes(%q))`, subject)),
		shot.take("mail-arrived"),
	))
	assert.True(t, jsValue[bool](t, ctx, `window.notReloaded === true`), "the new ticket appeared without a page load")

	// The notification leads to the ticket; reply with a template, and a
	// forbidden word is flagged.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#bell`)),
		chromedp.WaitVisible(chromedp.CSS(`#inbox`)),
		shot.take("notifications"),
		js(fmt.Sprintf(`[...document.querySelectorAll('#inbox-list li')].find(li => li.textContent.includes(%q)).click()`, subject)),
		chromedp.Click(chromedp.CSS(`#bell`)),
		waitJS(fmt.Sprintf(`document.querySelector('#ticket-detail h2')?.textContent.includes(%q)`, subject)),
		chromedp.WaitVisible(chromedp.CSS(`#reply-template`)),
		waitJS(`[...document.querySelectorAll('#reply-template option')].some(o => o.textContent.includes('Thanks'))`),
		js(`(() => { const s = document.querySelector('#reply-template');
			s.value = [...s.options].find(o => o.textContent.includes('Thanks')).value;
			s.dispatchEvent(new Event('change')); })()`),
		waitJS(`document.querySelector('#reply-preview').textContent.includes('이영희님, 문의해 주셔서 감사합니다')`),
		chromedp.SendKeys(chromedp.CSS(`#reply-body`), "취소해 드렸습니다, 바보"),
		chromedp.WaitVisible(chromedp.CSS(`#reply-warning`)),
		waitJS(`document.querySelector('#reply-send').disabled`),
		shot.take("forbidden-word"),
	))
	warning, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#reply-warning`)))
	require.NoError(t, err)
	assert.Contains(t, warning, "바보", "the warning names the word (FWD-2)")
	preview := jsValue[string](t, ctx, `document.querySelector('#reply-preview').textContent`)
	assert.Contains(t, preview, "이영희님, 문의해 주셔서 감사합니다", "the preview shows the template as rendered")
	assert.Equal(t, "바보", jsValue[string](t, ctx, `document.querySelector('#reply-preview mark.hit')?.textContent ?? ''`),
		"the word is marked in the rendered template reply, where the API's offsets say")

	require.NoError(t, chromedp.Do(ctx,
		js(`document.querySelector('#reply-body').value = ''`),
		chromedp.SendKeys(chromedp.CSS(`#reply-body`), "주문을 취소해 드렸습니다."),
		chromedp.WaitNotVisible(chromedp.CSS(`#reply-warning`)),
		waitJS(`!document.querySelector('#reply-send').disabled`),
		waitJS(`document.querySelector('#reply-preview').textContent.includes('주문을 취소해 드렸습니다.')`),
		chromedp.Click(chromedp.CSS(`#reply-send`)),
		waitJS(`[...document.querySelectorAll('.timeline .msg.agent')].some(m => m.textContent.includes('주문을 취소해 드렸습니다.'))`),
		shot.take("replied"),
	))
	// Transfer the ticket into the fake Dooray! project (DRY-2): the
	// ticket view then names the task.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#dooray-transfer`)),
		chromedp.Click(chromedp.CSS(`#dooray-transfer`)),
		waitJS(`document.querySelector('#dooray-link')?.textContent.includes('고객 지원 Support')`),
		shot.take("dooray"),
	))
	tk := ticketBySubject(t, d, subject)
	var tasks []string
	for _, c := range d.dooray.all() {
		if c.Path == "/project/v1/projects/"+doorayProject+"/posts" {
			tasks = append(tasks, c.Body)
		}
	}
	require.Len(t, tasks, 1, "one task created")
	assert.Contains(t, tasks[0], fmt.Sprintf("[#%d] %s", tk.Number, subject))
	comments, err := d.desk.Service(serviceID).As(helpdesk.AgentID(d.Seed.AdminID)).Tickets().Comments(context.Background(), tk.ID)
	require.NoError(t, err)
	require.Len(t, comments, 1, "one reply stored")
	assert.Equal(t, ticket.CommentPublic, comments[0].Kind)
	assert.Contains(t, comments[0].Body, "이영희님, 문의해 주셔서 감사합니다")
	assert.Contains(t, comments[0].Body, "주문을 취소해 드렸습니다.")

	// Triggers and a dry run of the new ticket's creation (TRG-8).
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(d.HTTPURL+"/#/triggers"),
		waitJS(fmt.Sprintf(`document.querySelectorAll('#trigger-list > li').length === %d`, len(d.Seed.Triggers))),
		waitJS(`document.querySelectorAll('#dry-ticket option').length === 4`),
		js(fmt.Sprintf(`document.querySelector('#dry-ticket').value = %q`, tk.ID)),
		chromedp.Click(chromedp.CSS(`#dry-form button`)),
		waitJS(fmt.Sprintf(`document.querySelectorAll('.dry-trigger').length === %d`, len(d.Seed.Triggers))),
		shot.take("dry-run"),
	))
	assert.Positive(t, jsValue[int](t, ctx, `document.querySelectorAll('.dry-trigger td.held').length`),
		"the acknowledgement trigger fires on a created event")

	// What the fakes received: the acknowledgement mail of the new ticket.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(d.HTTPURL+"/#/sent"),
		waitJS(fmt.Sprintf(`document.querySelector('#sent-mail').textContent.includes('문의 %d 접수되었습니다')`, tk.Number)),
		shot.take("sent"),
	))

	// Korean and English (SVC-2), the choice kept across a reload.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(d.HTTPURL+"/#/tickets/"+tk.ID),
		chromedp.Click(chromedp.CSS(`[data-lang="ko"]`)),
		waitJS(`document.querySelector('[data-nav="tickets"]').textContent === '티켓'`),
		waitJS(`document.querySelector('#ticket-detail h3')?.textContent === '처리 이력'`),
		chromedp.Reload(),
		waitJS(`document.querySelector('#ticket-detail h3')?.textContent === '처리 이력'`),
		shot.take("korean"),
	))
	nav, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`nav`)))
	require.NoError(t, err)
	assert.Contains(t, nav, "트리거")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-lang="en"]`)),
		waitJS(`document.querySelector('#ticket-detail h3')?.textContent === 'History'`),
	))
	assert.Empty(t, pageErrors(), "the page threw or logged errors")
}

// ticketBySubject finds the ticket a mail with subject made.
func ticketBySubject(t *testing.T, d *Demo, subject string) ticket.Ticket {
	t.Helper()
	page, err := d.desk.Service(serviceID).As(helpdesk.AgentID(d.Seed.AdminID)).Tickets().List(context.Background(), ticket.Filter{Limit: 100})
	require.NoError(t, err)
	for _, tk := range page.Tickets {
		if tk.Title == subject {
			return tk
		}
	}
	t.Fatalf("no ticket titled %q", subject)
	return ticket.Ticket{}
}

// The console's files are served at / with their types, and the demo's
// session route answers the agent picker.
func TestConsole_Files(t *testing.T) {
	d, err := Start(context.Background(), Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	for path, typ := range map[string]string{"/": "text/html", "/console.js": "javascript", "/console.css": "text/css"} {
		res, err := http.Get(d.HTTPURL + path)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Contains(t, res.Header.Get("Content-Type"), typ, path)
	}
}
