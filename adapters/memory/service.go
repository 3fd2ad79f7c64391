package memory

import (
	"context"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

type serviceRepo struct{ tx *txn }

func (r serviceRepo) Get(ctx context.Context) (helpdesk.ServiceConfig, error) {
	if err := r.tx.check(ctx); err != nil {
		return helpdesk.ServiceConfig{}, err
	}
	if r.tx.t.cfg == nil {
		return helpdesk.ServiceConfig{}, errs.NotFound("service", r.tx.service)
	}
	return cloneConfig(*r.tx.t.cfg), nil
}

func (r serviceRepo) Create(ctx context.Context, c helpdesk.ServiceConfig) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg != nil {
		return errs.New(helpdesk.ErrConflict, "service %q exists", r.tx.service)
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
		return errs.NotFound("service", r.tx.service)
	}
	if t.cfg.Version != c.Version {
		return errs.New(helpdesk.ErrConflict, "service %q is at version %d, not %d", r.tx.service, t.cfg.Version, c.Version)
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
