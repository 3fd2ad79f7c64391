package sqlite

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// This file stores the field package's port (FLD-1..5): definition rows
// (one per user field and per system field an admin changed) and layouts
// as set. It makes no rule checks: the field package and the helpdesk
// workflows decide.

// fieldRow is a row of field_definitions.
type fieldRow struct {
	bun.BaseModel `bun:"table:field_definitions"`

	ServiceID string         `bun:"service_id,pk"`
	Key       string         `bun:"key,pk"`
	Kind      string         `bun:"kind"`
	Type      string         `bun:"type"`
	System    bool           `bun:"system"`
	Label     i18n.Text      `bun:"label,type:json,nullzero"`
	HelpText  i18n.Text      `bun:"help_text,type:json,nullzero"`
	Required  bool           `bun:"required"`
	Options   []field.Option `bun:"options,type:json,nullzero"`
	CreatedAt time.Time      `bun:"created_at,nullzero"`
	UpdatedAt time.Time      `bun:"updated_at,nullzero"`
}

func toFieldRow(sid string, f field.Field) fieldRow {
	f = f.Clone()
	return fieldRow{ServiceID: sid, Key: f.Key, Kind: string(f.Kind), Type: string(f.Type), System: f.System,
		Label: f.Label, HelpText: f.HelpText, Required: f.Required, Options: f.Options, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

func (r *fieldRow) field() field.Field {
	f := field.Field{Key: r.Key, Kind: field.Kind(r.Kind), Type: field.Type(r.Type), System: r.System,
		Label: r.Label, HelpText: r.HelpText, Required: r.Required, Options: r.Options}
	if !r.CreatedAt.IsZero() {
		f.CreatedAt = r.CreatedAt.UTC()
	}
	if !r.UpdatedAt.IsZero() {
		f.UpdatedAt = r.UpdatedAt.UTC()
	}
	return f.Clone()
}

func fieldsOf(rows []fieldRow) []field.Field {
	out := make([]field.Field, len(rows))
	for i := range rows {
		out[i] = rows[i].field()
	}
	return out
}

// layoutRow is a row of field_layouts; Keys is a JSON array.
type layoutRow struct {
	bun.BaseModel `bun:"table:field_layouts"`

	ServiceID        string   `bun:"service_id,pk"`
	Kind             string   `bun:"kind,pk"`
	IntakeCategoryID string   `bun:"intake_category_id,pk"`
	Keys             []string `bun:"keys,type:json"`
}

func (r *layoutRow) layout() field.Layout {
	keys := r.Keys
	if keys == nil {
		keys = []string{}
	}
	return field.Layout{Kind: field.Kind(r.Kind), IntakeCategoryID: r.IntakeCategoryID, Keys: keys}
}

func layoutsOf(rows []layoutRow) []field.Layout {
	out := make([]field.Layout, len(rows))
	for i := range rows {
		out[i] = rows[i].layout()
	}
	return out
}

// fieldRepo implements field.Repository: it stores and reads rows and
// makes no rule checks.
type fieldRepo repos

func (r fieldRepo) Row(ctx context.Context, key string) (field.Field, error) {
	var row fieldRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND key = ?", r.sid, key).Scan(ctx)
	if err != nil {
		return field.Field{}, mapErr(err, name("field", key))
	}
	return row.field(), nil
}

func (r fieldRepo) Rows(ctx context.Context) ([]field.Field, error) {
	var rows []fieldRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).Scan(ctx); err != nil {
		return nil, mapErr(err, "fields")
	}
	return fieldsOf(rows), nil
}

// Insert leaves the transaction usable on a taken key: the conflict is
// skipped, not raised.
func (r fieldRepo) Insert(ctx context.Context, f field.Field) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toFieldRow(r.sid, f)
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("field", f.Key), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "field %q exists", f.Key)
	}
	return nil
}

func (r fieldRepo) Put(ctx context.Context, f field.Field) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toFieldRow(r.sid, f)
	_, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO UPDATE").
		Set("kind = EXCLUDED.kind, type = EXCLUDED.type, system = EXCLUDED.system, label = EXCLUDED.label, " +
			"help_text = EXCLUDED.help_text, required = EXCLUDED.required, options = EXCLUDED.options, " +
			"created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return mapErr(err, name("field", f.Key), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

func (r fieldRepo) Delete(ctx context.Context, key string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*fieldRow)(nil)).Where("service_id = ? AND key = ?", r.sid, key).Exec(ctx)
	if err != nil {
		return mapErr(err, name("field", key))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("field", key)
	}
	return nil
}

func (r fieldRepo) Layouts(ctx context.Context) ([]field.Layout, error) {
	var rows []layoutRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).Scan(ctx); err != nil {
		return nil, mapErr(err, "layouts")
	}
	return layoutsOf(rows), nil
}

func (r fieldRepo) PutLayouts(ctx context.Context, ls ...field.Layout) error {
	if len(ls) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	rows := make([]layoutRow, len(ls))
	for i, l := range ls {
		keys := l.Keys
		if keys == nil {
			keys = []string{}
		}
		rows[i] = layoutRow{ServiceID: r.sid, Kind: string(l.Kind), IntakeCategoryID: l.IntakeCategoryID, Keys: keys}
	}
	_, err := r.db.NewInsert().Model(&rows).On("CONFLICT (service_id, kind, intake_category_id) DO UPDATE").
		Set("keys = EXCLUDED.keys").Exec(ctx)
	return mapErr(err, "layouts", key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}

func (r fieldRepo) DeleteLayout(ctx context.Context, k field.Kind, intakeCategoryID string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model((*layoutRow)(nil)).
		Where("service_id = ? AND kind = ? AND intake_category_id = ?", r.sid, string(k), intakeCategoryID).Exec(ctx)
	if err != nil {
		return mapErr(err, string(k)+" layout")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrNotFound, "%s layout %q", k, intakeCategoryID)
	}
	return nil
}

// Load reads the rows and the three layouts (two local reads).
func (r fieldRepo) Load(ctx context.Context, intakeCategoryID string) (field.Stored, error) {
	var defs []fieldRow
	if err := r.db.NewSelect().Model(&defs).Where("service_id = ?", r.sid).Scan(ctx); err != nil {
		return field.Stored{}, mapErr(err, "fields")
	}
	var lays []layoutRow
	err := r.db.NewSelect().Model(&lays).
		Where("service_id = ? AND (kind = ? AND intake_category_id = '' OR kind = ? AND intake_category_id IN ('', ?))",
			r.sid, string(field.KindAgent), string(field.KindCustomer), intakeCategoryID).Scan(ctx)
	if err != nil {
		return field.Stored{}, mapErr(err, "fields")
	}
	return field.Stored{Fields: fieldsOf(defs), Layouts: layoutsOf(lays)}, nil
}

// Lock is the file's write lock (see Store).
func (r fieldRepo) Lock(ctx context.Context) error { return repos(r).lock(ctx) }
