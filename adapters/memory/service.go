package memory

import (
	"context"
	"fmt"

	"github.com/deskkit/deskkit/helpdesk"
)

type serviceRepo struct{ tx *txn }

func (r serviceRepo) Get(ctx context.Context) (helpdesk.ServiceConfig, error) {
	if err := r.tx.check(ctx); err != nil {
		return helpdesk.ServiceConfig{}, err
	}
	if r.tx.t.cfg == nil {
		return helpdesk.ServiceConfig{}, helpdesk.ErrNotFound
	}
	return cloneConfig(*r.tx.t.cfg), nil
}

func (r serviceRepo) Create(ctx context.Context, c helpdesk.ServiceConfig) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg != nil {
		return fmt.Errorf("service %q exists: %w", c.ID, helpdesk.ErrConflict)
	}
	c = cloneConfig(c)
	t.cfg = &c
	r.tx.onUndo(func() { t.cfg = nil })
	return nil
}

func (r serviceRepo) Update(ctx context.Context, c *helpdesk.ServiceConfig) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg == nil {
		return helpdesk.ErrNotFound
	}
	if t.cfg.Version != c.Version {
		return fmt.Errorf("service %q is at version %d, not %d: %w", c.ID, t.cfg.Version, c.Version, helpdesk.ErrConflict)
	}
	old := t.cfg
	n := cloneConfig(*c)
	n.Version++
	t.cfg = &n
	c.Version = n.Version
	r.tx.onUndo(func() { t.cfg = old })
	return nil
}

func cloneConfig(c helpdesk.ServiceConfig) helpdesk.ServiceConfig { return c.Clone() }
