package notify

import (
	"context"
	"time"
)

// Recipient is a person outside the helpdesk who receives alerts (NTF-3).
type Recipient struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	DoorayHookURL string    `json:"dooray_hook_url,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// RecipientRepository stores one service's external recipients. It
// persists and reads the rows it is given and makes no rule checks: the
// helpdesk workflows check a recipient's fields before they write it.
type RecipientRepository interface {
	// Create stores r; ErrConflict if the id exists, ErrNotFound if the
	// service does not.
	Create(ctx context.Context, r Recipient) error
	// Get returns one recipient, or ErrNotFound.
	Get(ctx context.Context, id string) (Recipient, error)
	// List returns every recipient by name, then id (byte order).
	List(ctx context.Context) ([]Recipient, error)
	// Update replaces r's fields (not CreatedAt); ErrNotFound if unknown.
	Update(ctx context.Context, r Recipient) error
	// Delete removes a recipient; ErrNotFound if unknown.
	Delete(ctx context.Context, id string) error
}

// SurgeRepository keeps the state surge alerts need across processes
// (NTF-2): the time of the last alert, under a lock. It makes no rule
// checks: whether an alert is due is SurgeRule.Due's to decide.
type SurgeRepository interface {
	// LockLastAlert returns the time of the service's last surge alert
	// (zero if none) and holds it for this transaction, so concurrent
	// ticket creations decide one after another; ErrNotFound if the
	// service does not exist.
	LockLastAlert(ctx context.Context) (time.Time, error)
	// SetLastAlert stores the time of the last alert; ErrNotFound if the
	// service does not exist.
	SetLastAlert(ctx context.Context, at time.Time) error
}
