package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// categoryRepo stores the category trees (CAT-1..7) in categories, one row
// per category, deleted ones included, as the category package planned
// them; it makes no rule checks. Lock is the service's "categories" area
// lock (lockArea).
type categoryRepo repos

// categoryRow is a row of categories; the reads leave out service_id,
// which they filter on.
type categoryRow struct {
	bun.BaseModel `bun:"table:categories,alias:c"`

	ServiceID string        `bun:"service_id,pk"`
	ID        string        `bun:"id,pk"`
	Tree      category.Tree `bun:"tree"`
	ParentID  string        `bun:"parent_id"`
	Path      []string      `bun:"path,array"`
	Position  int           `bun:"position"`
	Name      i18n.Text     `bun:"name,type:jsonb"`
	Enabled   bool          `bun:"enabled"`
	Deleted   bool          `bun:"deleted"`
	CreatedAt time.Time     `bun:"created_at"`
	UpdatedAt time.Time     `bun:"updated_at"`
}

// categorySaved are the columns Save writes.
var categorySaved = []string{"parent_id", "path", "position", "name", "enabled", "deleted", "updated_at"}

func toCategoryRow(sid string, c category.Category) categoryRow {
	c = c.Clone()
	if c.Path == nil {
		c.Path = []string{} // the column is NOT NULL
	}
	if c.Name == nil {
		c.Name = i18n.Text{}
	}
	return categoryRow{ServiceID: sid, ID: c.ID, Tree: c.Tree, ParentID: c.ParentID, Path: c.Path, Position: c.Position,
		Name: c.Name, Enabled: c.Enabled, Deleted: c.Deleted, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// category returns the row as a category; an empty path or name is nil.
func (r *categoryRow) category() category.Category {
	c := category.Category{ID: r.ID, Tree: r.Tree, ParentID: r.ParentID, Path: r.Path, Position: r.Position, Name: r.Name,
		Enabled: r.Enabled, Deleted: r.Deleted, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if len(c.Path) == 0 {
		c.Path = nil
	}
	if len(c.Name) == 0 {
		c.Name = nil
	}
	return c
}

func categories(rows []categoryRow) []category.Category {
	out := make([]category.Category, len(rows))
	for i := range rows {
		out[i] = rows[i].category()
	}
	return out
}

func (r categoryRepo) Lock(ctx context.Context) error {
	return lockArea(ctx, r.tx, "categories", r.sid)
}

func (r categoryRepo) Get(ctx context.Context, id string) (category.Category, error) {
	var row categoryRow
	err := r.tx.NewSelect().Model(&row).ExcludeColumn("service_id").Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return category.Category{}, mapErr(err, name("category", id))
	}
	return row.category(), nil
}

func (r categoryRepo) Path(ctx context.Context, id string) ([]category.Category, error) {
	var rows []categoryRow
	// In the order of the category's own path: an ancestor's stored path
	// may have moved since the category was deleted.
	err := r.tx.NewSelect().Model(&rows).ExcludeColumn("service_id").
		Join("JOIN categories AS x ON x.service_id = c.service_id AND c.id = ANY(x.path || x.id)").
		Where("x.service_id = ? AND x.id = ?", r.sid, id).
		OrderExpr("array_position(x.path || x.id, c.id)").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, name("path of category", id))
	}
	if len(rows) == 0 {
		return nil, errs.NotFound("category", id)
	}
	return categories(rows), nil
}

func (r categoryRepo) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	var rows []categoryRow
	err := r.tx.NewSelect().Model(&rows).ExcludeColumn("service_id").Where("service_id = ? AND tree = ? AND NOT deleted", r.sid, tree).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, string(tree)+" categories")
	}
	return categories(rows), nil
}

func (r categoryRepo) All(ctx context.Context) ([]category.Category, error) {
	var rows []categoryRow
	err := r.tx.NewSelect().Model(&rows).ExcludeColumn("service_id").Where("service_id = ?", r.sid).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "categories")
	}
	return categories(rows), nil
}

func (r categoryRepo) Insert(ctx context.Context, c category.Category) error {
	row := toCategoryRow(r.sid, c)
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("category", c.ID))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err, name("category", c.ID))
	}
	if n == 0 {
		return errs.New(helpdesk.ErrConflict, "category %q exists", c.ID)
	}
	return nil
}

func (r categoryRepo) Save(ctx context.Context, cs ...category.Category) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([]categoryRow, len(cs))
	for i, c := range cs {
		rows[i] = toCategoryRow(r.sid, c)
	}
	res, err := r.tx.NewUpdate().Model(&rows).Column(categorySaved...).Bulk().Exec(ctx)
	if err != nil {
		return mapErr(err, "categories")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err, "categories")
	}
	if n < int64(len(rows)) {
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		return firstMissing(ctx, r.tx, "categories", "category", r.sid, ids)
	}
	return nil
}
