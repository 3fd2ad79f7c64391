package mail_test

import (
	"context"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
)

const benchMails = 1000

// BenchmarkIngest_1000 syncs 1,000 mails from the in-process IMAP server
// into a fresh memory store per iteration: fetch, parse, ReceiveMail (a
// ticket each), sync state saves. Compare with BenchmarkFetchOnly_1000.
func BenchmarkIngest_1000(b *testing.B) {
	peer := newIMAPPeer(b, 0, 0)
	for i := range benchMails {
		peer.deliver(b, customerMail(i))
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		desk := newDesk(b, memory.New())
		p := newPoller(b, desk, peer)
		b.StartTimer()
		n, err := p.Sync(ctx)
		require.NoError(b, err)
		require.Equal(b, benchMails, n)
	}
}

// BenchmarkFetchOnly_1000 is the baseline: the same connection, login,
// UID SEARCH and FETCH of the same 1,000 mails in batches of 100, bodies
// read and dropped.
func BenchmarkFetchOnly_1000(b *testing.B) {
	peer := newIMAPPeer(b, 0, 0)
	for i := range benchMails {
		peer.deliver(b, customerMail(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := imapclient.DialInsecure(peer.addr, nil)
		require.NoError(b, err)
		require.NoError(b, c.Login("acme", "secret").Wait())
		_, err = c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
		require.NoError(b, err)
		found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{{Start: 1, Stop: 0}}}}, nil).Wait()
		require.NoError(b, err)
		uids := found.AllUIDs()
		section := &imap.FetchItemBodySection{Peek: true}
		n := 0
		for i := 0; i < len(uids); i += 100 {
			msgs, err := c.Fetch(imap.UIDSetNum(uids[i:min(i+100, len(uids))]...),
				&imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			require.NoError(b, err)
			n += len(msgs)
		}
		require.Equal(b, benchMails, n)
		require.NoError(b, c.Logout().Wait())
		_ = c.Close()
	}
}
