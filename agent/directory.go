package agent

import (
	"context"
	"strings"
	"sync"

	"github.com/deskkit/deskkit/internal/errs"
)

// Member is a person in the host product's user directory (AGT-1).
type Member struct {
	Account string
	Name    string
	Email   string
}

// Directory is the host product's user directory. Only its members can be
// agents; others can be invited (the directory sends the invitation).
type Directory interface {
	// LookUp returns the member with account, or an error matching
	// ErrNotFound.
	LookUp(ctx context.Context, account string) (Member, error)
	// Invite asks the directory to invite a person who is not a member.
	Invite(ctx context.Context, email, name string) error
}

// MemoryDirectory is a Directory kept in memory, for tests and examples. It
// is safe for concurrent use.
type MemoryDirectory struct {
	mu      sync.Mutex
	members map[string]Member
	invited []Member
}

// NewMemoryDirectory returns a directory holding members.
func NewMemoryDirectory(members ...Member) *MemoryDirectory {
	d := &MemoryDirectory{members: map[string]Member{}}
	for _, m := range members {
		d.members[m.Account] = m
	}
	return d
}

// LookUp implements Directory.
func (d *MemoryDirectory) LookUp(_ context.Context, account string) (Member, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.members[account]
	if !ok {
		return Member{}, errs.NotFound("directory member", account)
	}
	return m, nil
}

// Invite implements Directory: it records the invitation.
func (d *MemoryDirectory) Invite(_ context.Context, email, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.invited = append(d.invited, Member{Account: strings.ToLower(email), Name: name, Email: email})
	return nil
}

// Invited returns the invitations sent so far.
func (d *MemoryDirectory) Invited() []Member {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Member(nil), d.invited...)
}

// Join makes an invited (or any) person a member, as the host would when an
// invitation is accepted.
func (d *MemoryDirectory) Join(m Member) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.members[m.Account] = m
}
