package helpdesk_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
)

func TestMailboxes_MAIL2_SEC1_SecretIsWriteOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	box := mail.Mailbox{ID: "support", Address: "support@acme.example", Host: "imap.acme.example", Port: 993,
		TLS: mail.TLSImplicit, User: "support", Secret: "s3cret!", Enabled: true}
	saved, err := f.admin.Mailboxes().Save(ctx, box)
	require.NoError(t, err)
	assert.NotContains(t, saved.Secret, "s3cret")
	assert.Equal(t, "INBOX", saved.Folder)
	list, err := f.admin.Mailboxes().List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, saved.Secret, list[0].Secret, "masked when read back")
	// sent back masked, as read: the stored secret stays
	list[0].Port = 143
	list[0].TLS = mail.TLSStartTLS
	_, err = f.admin.Mailboxes().Save(ctx, list[0])
	require.NoError(t, err)
	full, err := f.sys.Mailboxes().Secret(ctx, "support")
	require.NoError(t, err)
	assert.Equal(t, "s3cret!", full.Secret)
	assert.Equal(t, 143, full.Port)
	// a masked secret for a new mailbox keeps nothing: refused
	_, err = f.admin.Mailboxes().Save(ctx, mail.Mailbox{ID: "new", Address: "n@acme.example", Secret: saved.Secret})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	// the secret is for the system alone
	_, err = f.admin.Mailboxes().Secret(ctx, "support")
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	_, err = f.agent.Mailboxes().List(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "admins only")
	require.NoError(t, f.admin.Mailboxes().Delete(ctx, "support"))
	assert.ErrorIs(t, f.admin.Mailboxes().Delete(ctx, "support"), helpdesk.ErrNotFound)
}

func TestMailboxes_MAIL1_MAIL2_Validation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.Mailboxes().Save(ctx, mail.Mailbox{ID: "", Address: "not an address", Host: "h\x00", Port: 70000, TLS: "ssl", Secret: "\xff"})
	got := problems(t, err)
	for _, field := range []string{"id", "address", "host", "port", "tls", "user", "secret"} {
		assert.Contains(t, got, field)
	}
	_, err = f.admin.Mailboxes().Save(ctx, mail.Mailbox{ID: "empty"})
	assert.Equal(t, []string{"address"}, problems(t, err), "a mailbox needs an address or a server")
	_, err = f.admin.Mailboxes().Save(ctx, mail.Mailbox{ID: "rep", Address: "help@acme.example"})
	assert.NoError(t, err, "a representative address alone (MAIL-1)")
	for i := range 3 {
		_, err = f.admin.Mailboxes().Save(ctx, mail.Mailbox{ID: "b" + strconv.Itoa(i), Address: "x@acme.example"})
		require.NoError(t, err)
	}
	list, err := f.admin.Mailboxes().List(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 4)
	other, err := f.other.As(helpdesk.System).Mailboxes().List(ctx)
	require.NoError(t, err)
	assert.Empty(t, other, "per service (SVC-1)")
}
