package helpdesk

import (
	"context"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
)

// Attachments returns the attachments received with ticket id's mail,
// without their content (MAIL-8): name, type, size, and whether the
// content was kept.
func (h Tickets) Attachments(ctx context.Context, id string) ([]mail.File, error) {
	if err := checkID("ticket", id); err != nil {
		return nil, err
	}
	var out []mail.File
	err := h.s.run(ctx, "Tickets.Attachments", permTicketRead, func(o *op) error {
		if _, err := o.r.Tickets().Get(ctx, id); err != nil {
			return err
		}
		var err error
		out, err = o.r.Mail().Files(ctx, id)
		return err
	})
	return result(out, err)
}

// Attachment returns attachment fileID of ticket id with its content
// (MAIL-8); only within the service, and only through its ticket.
func (h Tickets) Attachment(ctx context.Context, id, fileID string) (mail.File, error) {
	if err := checkID("ticket", id); err != nil {
		return mail.File{}, err
	}
	if err := checkID("file", fileID); err != nil {
		return mail.File{}, err
	}
	var out mail.File
	err := h.s.run(ctx, "Tickets.Attachment", permTicketRead, func(o *op) error {
		f, err := o.r.Mail().GetFile(ctx, fileID)
		if err != nil {
			return err
		}
		if f.TicketID != id {
			return errs.NotFound("file", fileID)
		}
		out = f
		return nil
	})
	return result(out, err)
}
