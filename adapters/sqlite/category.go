package sqlite

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
// them; it makes no rule checks.
type categoryRepo repos

// categoryRow is a row of categories; Path is a JSON array.
type categoryRow struct {
	bun.BaseModel `bun:"table:categories,alias:c"`

	ServiceID string        `bun:"service_id,pk"`
	ID        string        `bun:"id,pk"`
	Tree      category.Tree `bun:"tree"`
	ParentID  string        `bun:"parent_id"`
	Path      []string      `bun:"path,type:json"`
	Position  int           `bun:"position"`
	Name      i18n.Text     `bun:"name,type:json"`
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

func (r categoryRepo) Lock(ctx context.Context) error { return repos(r).lock(ctx) }

func (r categoryRepo) Get(ctx context.Context, id string) (category.Category, error) {
	var row categoryRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx)
	if err != nil {
		return category.Category{}, mapErr(err, name("category", id))
	}
	return row.category(), nil
}

// Path reads the category, then its ancestors, in the order of the
// category's own path: an ancestor's stored path may have moved since the
// category was deleted.
func (r categoryRepo) Path(ctx context.Context, id string) ([]category.Category, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(c.Path) == 0 {
		return []category.Category{c}, nil
	}
	var rows []categoryRow
	err = r.db.NewSelect().Model(&rows).Where("service_id = ? AND id IN (?)", r.sid, bun.List(c.Path)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, name("path of category", id))
	}
	byID := make(map[string]category.Category, len(rows))
	for i := range rows {
		byID[rows[i].ID] = rows[i].category()
	}
	out := make([]category.Category, 0, len(c.Path)+1)
	for _, a := range c.Path {
		if p, ok := byID[a]; ok {
			out = append(out, p)
		}
	}
	return append(out, c), nil
}

func (r categoryRepo) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	var rows []categoryRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND tree = ? AND NOT deleted", r.sid, tree).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, string(tree)+" categories")
	}
	return categories(rows), nil
}

func (r categoryRepo) All(ctx context.Context) ([]category.Category, error) {
	var rows []categoryRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "categories")
	}
	return categories(rows), nil
}

func (r categoryRepo) Insert(ctx context.Context, c category.Category) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toCategoryRow(r.sid, c)
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("category", c.ID), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "category %q exists", c.ID)
	}
	return nil
}

func (r categoryRepo) Save(ctx context.Context, cs ...category.Category) error {
	if len(cs) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	for _, c := range cs {
		row := toCategoryRow(r.sid, c)
		res, err := r.db.NewUpdate().Model(&row).Column(categorySaved...).WherePK().Exec(ctx)
		if err != nil {
			return mapErr(err, "categories")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("category", c.ID)
		}
	}
	return nil
}
