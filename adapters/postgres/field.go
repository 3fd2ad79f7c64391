package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// This file stores the field package's port (FLD-1..5). A definition row
// exists for each user field and for each system field an admin changed;
// field.Merge adds the defaults of the others, so no service is ever
// seeded. Refused writes (duplicate key, system field, bad layout) are
// found before anything is written, so the transaction stays usable.

type fieldRow struct {
	bun.BaseModel `bun:"table:field_definitions"`

	ServiceID string         `bun:"service_id,pk"`
	Key       string         `bun:"key,pk"`
	Kind      string         `bun:"kind"`
	Type      string         `bun:"type"`
	System    bool           `bun:"system"`
	Label     i18n.Text      `bun:"label,type:jsonb,nullzero"`
	HelpText  i18n.Text      `bun:"help_text,type:jsonb,nullzero"`
	Required  bool           `bun:"required"`
	Options   []field.Option `bun:"options,type:jsonb,nullzero"`
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

type layoutRow struct {
	bun.BaseModel `bun:"table:field_layouts"`

	ServiceID        string   `bun:"service_id,pk"`
	Kind             string   `bun:"kind,pk"`
	IntakeCategoryID string   `bun:"intake_category_id,pk"`
	Keys             []string `bun:"keys,array"`
}

type fieldRepo repos

// stored returns the row of key, if there is one.
func (r fieldRepo) stored(ctx context.Context, key string) (field.Field, bool, error) {
	var row fieldRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND key = ?", r.sid, key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return field.Field{}, false, nil
	}
	if err != nil {
		return field.Field{}, false, mapErr(err, "field "+key)
	}
	return row.field(), true, nil
}

func (r fieldRepo) Create(ctx context.Context, f field.Field) error {
	if f.System {
		return fmt.Errorf("field %q: Create stores user fields only: %w", f.Key, helpdesk.ErrInvalid)
	}
	if field.IsSystem(f.Key) {
		return fmt.Errorf("field %q: %w", f.Key, field.ErrDuplicateKey)
	}
	row := toFieldRow(r.sid, f)
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, "field "+f.Key)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("field %q: %w", f.Key, field.ErrDuplicateKey)
	}
	return nil
}

func (r fieldRepo) Get(ctx context.Context, key string) (field.Field, error) {
	f, ok, err := r.stored(ctx, key)
	if err != nil || ok {
		return f, err
	}
	if d, ok := field.SystemField(key); ok {
		return d, nil
	}
	return field.Field{}, fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
}

func (r fieldRepo) List(ctx context.Context) ([]field.Field, error) {
	var rows []fieldRow
	if err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).Scan(ctx); err != nil {
		return nil, mapErr(err, "fields")
	}
	stored := make([]field.Field, len(rows))
	for i := range rows {
		stored[i] = rows[i].field()
	}
	return field.Merge(stored), nil
}

func (r fieldRepo) Update(ctx context.Context, f field.Field) error {
	cur, err := r.Get(ctx, f.Key)
	if err != nil {
		return err
	}
	cur.Label, cur.HelpText, cur.Required, cur.Options, cur.UpdatedAt = f.Label, f.HelpText, f.Required, f.Options, f.UpdatedAt
	row := toFieldRow(r.sid, cur)
	// A system field still at its defaults has no row yet: insert it.
	_, err = r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO UPDATE").
		Set("label = EXCLUDED.label").Set("help_text = EXCLUDED.help_text").Set("required = EXCLUDED.required").
		Set("options = EXCLUDED.options").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	return mapErr(err, "field "+f.Key)
}

func (r fieldRepo) Delete(ctx context.Context, key string) error {
	if field.IsSystem(key) {
		return fmt.Errorf("field %q cannot be deleted, only reset (FLD-4): %w", key, field.ErrSystemField)
	}
	res, err := r.tx.NewDelete().Model((*fieldRow)(nil)).Where("service_id = ? AND key = ?", r.sid, key).Exec(ctx)
	if err != nil {
		return mapErr(err, "field "+key)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
	}
	_, err = r.tx.NewRaw("UPDATE field_layouts SET keys = array_remove(keys, ?0) WHERE service_id = ?1 AND ?0 = ANY (keys)",
		key, r.sid).Exec(ctx)
	return mapErr(err, "layouts")
}

func (r fieldRepo) Reset(ctx context.Context, key string) (field.Field, error) {
	def, ok := field.SystemField(key)
	if !ok {
		if _, user, err := r.stored(ctx, key); err != nil {
			return field.Field{}, err
		} else if user {
			return field.Field{}, fmt.Errorf("field %q has no defaults to reset to: %w", key, field.ErrNotSystem)
		}
		return field.Field{}, fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
	}
	_, err := r.tx.NewDelete().Model((*fieldRow)(nil)).Where("service_id = ? AND key = ?", r.sid, key).Exec(ctx)
	if err != nil {
		return field.Field{}, mapErr(err, "field "+key)
	}
	return def, nil
}

// layouts reads the stored layouts: the agent layout and the customer
// layouts of intake category id and of the service default.
func (r fieldRepo) layouts(ctx context.Context, id string) (map[field.Kind]map[string][]string, error) {
	var rows []layoutRow
	err := r.tx.NewSelect().Model(&rows).
		Where("service_id = ? AND (kind = ? OR intake_category_id IN (?, ''))", r.sid, string(field.KindAgent), id).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "layouts")
	}
	out := map[field.Kind]map[string][]string{field.KindCustomer: {}, field.KindAgent: {}}
	for _, row := range rows {
		if m, ok := out[field.Kind(row.Kind)]; ok {
			m[row.IntakeCategoryID] = row.Keys
		}
	}
	return out, nil
}

func resolve(ls map[field.Kind]map[string][]string, id string, defs []field.Field) (customer, agent field.Layout) {
	customer = field.ResolveCustomer(id, func(id string) ([]string, bool) {
		keys, ok := ls[field.KindCustomer][id]
		return keys, ok
	}, defs)
	keys, ok := ls[field.KindAgent][""]
	return customer, field.ResolveAgent(keys, ok, defs)
}

func (r fieldRepo) Schema(ctx context.Context, intakeCategoryID string) (field.Schema, error) {
	defs, err := r.List(ctx)
	if err != nil {
		return field.Schema{}, err
	}
	ls, err := r.layouts(ctx, intakeCategoryID)
	if err != nil {
		return field.Schema{}, err
	}
	s := field.Schema{Fields: defs}
	s.Customer, s.Agent = resolve(ls, intakeCategoryID, defs)
	return s, nil
}

func (r fieldRepo) CustomerLayout(ctx context.Context, intakeCategoryID string) (field.Layout, error) {
	s, err := r.Schema(ctx, intakeCategoryID)
	return s.Customer, err
}

func (r fieldRepo) AgentLayout(ctx context.Context) (field.Layout, error) {
	s, err := r.Schema(ctx, "")
	return s.Agent, err
}

// setLayout checks keys against the definitions and stores them.
func (r fieldRepo) setLayout(ctx context.Context, k field.Kind, id string, keys []string) (field.Layout, error) {
	defs, err := r.List(ctx)
	if err != nil {
		return field.Layout{}, err
	}
	keys, err = field.CheckLayout(k, keys, defs)
	if err != nil {
		return field.Layout{}, err
	}
	_, err = r.tx.NewRaw(`INSERT INTO field_layouts (service_id, kind, intake_category_id, keys) VALUES (?, ?, ?, ?)
ON CONFLICT (service_id, kind, intake_category_id) DO UPDATE SET keys = EXCLUDED.keys`,
		r.sid, string(k), id, pgdialect.Array(keys)).Exec(ctx)
	if err != nil {
		return field.Layout{}, mapErr(err, string(k)+" layout")
	}
	return field.Layout{Kind: k, IntakeCategoryID: id, Keys: keys}, nil
}

func (r fieldRepo) SetCustomerLayout(ctx context.Context, intakeCategoryID string, keys []string) (field.Layout, error) {
	return r.setLayout(ctx, field.KindCustomer, intakeCategoryID, keys)
}

func (r fieldRepo) SetAgentLayout(ctx context.Context, keys []string) (field.Layout, error) {
	return r.setLayout(ctx, field.KindAgent, "", keys)
}

func (r fieldRepo) DeleteCustomerLayout(ctx context.Context, intakeCategoryID string) error {
	_, err := r.tx.NewDelete().Model((*layoutRow)(nil)).
		Where("service_id = ? AND kind = ? AND intake_category_id = ?", r.sid, string(field.KindCustomer), intakeCategoryID).Exec(ctx)
	return mapErr(err, "customer layout")
}

// Lock implements field.Repository with a transaction-scoped advisory lock
// per service: system fields at their defaults have no row to lock.
func (r fieldRepo) Lock(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "deskkit.fields."+r.sid)
	return mapErr(err, "fields of service "+r.sid)
}
