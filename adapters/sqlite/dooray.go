package sqlite

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// doorayLinkRow is a row of dooray_links (DRY-2).
type doorayLinkRow struct {
	bun.BaseModel `bun:"table:dooray_links"`

	ServiceID string    `bun:"service_id,pk"`
	TicketID  string    `bun:"ticket_id,pk"`
	ProjectID string    `bun:"project_id"`
	PostID    string    `bun:"post_id"`
	CreatedAt time.Time `bun:"created_at"`
}

func (r *doorayLinkRow) link() helpdesk.DoorayLink {
	return helpdesk.DoorayLink{TicketID: r.TicketID, ProjectID: r.ProjectID, PostID: r.PostID, CreatedAt: r.CreatedAt.UTC()}
}

// doorayLinkRepo is helpdesk.DoorayLinkRepository: one task per ticket
// (the primary key), one ticket per task (a unique index).
type doorayLinkRepo repos

func (r repos) DoorayLinks() helpdesk.DoorayLinkRepository { return doorayLinkRepo(r) }

// Insert skips a taken ticket or task (ON CONFLICT DO NOTHING) and reports
// it as ErrConflict; a missing ticket is ErrNotFound, from the foreign key.
func (r doorayLinkRepo) Insert(ctx context.Context, l helpdesk.DoorayLink) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := doorayLinkRow{ServiceID: r.sid, TicketID: l.TicketID, ProjectID: l.ProjectID, PostID: l.PostID, CreatedAt: l.CreatedAt}
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("ticket", l.TicketID), key{foreignKey, func() error { return errs.NotFound("ticket", l.TicketID) }})
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "ticket %q or Dooray! task %q is linked already", l.TicketID, l.PostID)
	}
	return nil
}

func (r doorayLinkRepo) ByTicket(ctx context.Context, ticketID string) (helpdesk.DoorayLink, error) {
	var row doorayLinkRow
	if err := r.db.NewSelect().Model(&row).Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).Scan(ctx); err != nil {
		return helpdesk.DoorayLink{}, mapErr(err, name("Dooray! link of ticket", ticketID))
	}
	return row.link(), nil
}

func (r doorayLinkRepo) ByPost(ctx context.Context, postID string) (helpdesk.DoorayLink, error) {
	var row doorayLinkRow
	if err := r.db.NewSelect().Model(&row).Where("service_id = ? AND post_id = ?", r.sid, postID).Scan(ctx); err != nil {
		return helpdesk.DoorayLink{}, mapErr(err, name("Dooray! link of task", postID))
	}
	return row.link(), nil
}
