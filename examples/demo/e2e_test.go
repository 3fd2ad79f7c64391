package main

import (
	"bufio"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// The built binary: it prints its addresses, a mail over SMTP becomes a
// ticket seen through the HTTP API (MAIL-1), and SIGINT stops it with
// exit status 0.
func TestDemo_MAIL1_BinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	var printed strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "Ctrl-C stops the demo.") {
			break
		}
	}
	httpURL := regexp.MustCompile(`HTTP API\s+(http://\S+)/api`).FindStringSubmatch(printed.String())
	smtpAddr := regexp.MustCompile(`SMTP\s+(\S+)`).FindStringSubmatch(printed.String())
	require.Len(t, httpURL, 2, printed.String())
	require.Len(t, smtpAddr, 2, printed.String())
	go func() { // keep draining stdout ("stopping…")
		for sc.Scan() {
		}
	}()

	msg := "From: Kim <kim@customer.example>\r\nTo: " + supportAddress + "\r\nSubject: 환불 요청\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n주문 7 환불 부탁드립니다.\r\n"
	require.NoError(t, smtp.SendMail(smtpAddr[1], nil, "kim@customer.example", []string{supportAddress}, []byte(msg)))
	require.Eventually(t, func() bool {
		page := get[struct {
			Tickets []ticket.Ticket `json:"tickets"`
		}](t, httpURL[1]+"/api/tickets")
		for _, tk := range page.Tickets { // beside the three seeded ones
			if tk.Title == "환불 요청" && tk.Channel == ticket.ChannelEmail {
				return true
			}
		}
		return false
	}, defaultWait, tick)

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	assert.NoError(t, cmd.Wait(), "SIGINT ends the demo cleanly")
}
