package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// categoryRepo stores the category trees (CAT-1..7) in categories, with
// one category_names row per live category and language for the
// uniqueness rule of CAT-3.
//
// Every write first locks the service's category_locks row, then checks
// (depth, cycle, name clashes) and writes nothing when it refuses, so a
// refused write returns its typed error and leaves the transaction usable,
// as in the memory store. The unique constraint on category_names and the
// depth check on categories still guard the rules should a writer skip the
// lock.
type categoryRepo repos

// categoryColumns are the columns scanCategories reads, in order.
const categoryColumns = `id, tree, parent_id, path, position, name, enabled, deleted, created_at, updated_at`

// scanCategories reads every row of rows and closes them.
func scanCategories(rows *sql.Rows, what string) ([]category.Category, error) {
	defer rows.Close()
	var out []category.Category
	var tree string
	var name []byte
	for rows.Next() {
		var c category.Category
		if err := rows.Scan(&c.ID, &tree, &c.ParentID, pgdialect.Array(&c.Path), &c.Position, &name, &c.Enabled,
			&c.Deleted, &c.CreatedAt, &c.UpdatedAt); err != nil {
			return nil, mapErr(err, what)
		}
		if err := json.Unmarshal(name, &c.Name); err != nil {
			return nil, fmt.Errorf("%s: name of category %s: %w", what, c.ID, err)
		}
		c.Tree = category.Tree(tree)
		if len(c.Path) == 0 {
			c.Path = nil
		}
		if len(c.Name) == 0 {
			c.Name = nil
		}
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, what)
	}
	return out, nil
}

// query runs a statement returning categoryColumns.
func (r categoryRepo) query(ctx context.Context, what, q string, args ...any) ([]category.Category, error) {
	rows, err := r.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	return scanCategories(rows, what)
}

// lock takes the service's category write lock until the transaction
// ends; an unknown service is ErrNotFound.
func (r categoryRepo) lock(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `INSERT INTO category_locks (service_id) VALUES (?)
ON CONFLICT (service_id) DO UPDATE SET service_id = EXCLUDED.service_id`, r.sid)
	return mapErr(err, "categories of service "+r.sid)
}

// Lock implements category.Repository.
func (r categoryRepo) Lock(ctx context.Context) error { return r.lock(ctx) }

func (r categoryRepo) Get(ctx context.Context, id string) (category.Category, error) {
	cs, err := r.query(ctx, "category "+id, `SELECT `+categoryColumns+` FROM categories WHERE service_id = ? AND id = ?`, r.sid, id)
	if err != nil {
		return category.Category{}, err
	}
	if len(cs) == 0 {
		return category.Category{}, fmt.Errorf("category %q: %w", id, helpdesk.ErrNotFound)
	}
	return cs[0], nil
}

// live returns the live category id, of tree unless tree is empty.
func (r categoryRepo) live(ctx context.Context, what, id string, tree category.Tree) (category.Category, error) {
	c, err := r.Get(ctx, id)
	if errors.Is(err, helpdesk.ErrNotFound) || err == nil && (c.Deleted || tree != "" && c.Tree != tree) {
		if tree != "" {
			return category.Category{}, fmt.Errorf("%s %s category %q: %w", what, tree, id, helpdesk.ErrNotFound)
		}
		return category.Category{}, fmt.Errorf("%s %q: %w", what, id, helpdesk.ErrNotFound)
	}
	return c, err
}

func (r categoryRepo) Path(ctx context.Context, id string) ([]category.Category, error) {
	cs, err := r.query(ctx, "path of category "+id, `SELECT a.id, a.tree, a.parent_id, a.path, a.position, a.name, a.enabled, a.deleted, a.created_at, a.updated_at
FROM categories c JOIN categories a ON a.service_id = c.service_id AND a.id = ANY(c.path || c.id)
WHERE c.service_id = ? AND c.id = ?
ORDER BY array_position(c.path || c.id, a.id)`, r.sid, id) // the order of c's own path: ancestors' stored paths may have moved since c was deleted
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("category %q: %w", id, helpdesk.ErrNotFound)
	}
	return cs, nil
}

func (r categoryRepo) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	if !tree.Valid() {
		return nil, fmt.Errorf("category tree %q: %w", tree, helpdesk.ErrInvalid)
	}
	cs, err := r.query(ctx, string(tree)+" categories", `SELECT `+categoryColumns+` FROM categories
WHERE service_id = ? AND tree = ? AND NOT deleted`, r.sid, string(tree))
	if err != nil {
		return nil, err
	}
	return category.Order(cs), nil
}

// nameKeys returns the languages and name keys of a name, for the
// category_names rows.
func nameKeys(name i18n.Text) (langs, keys []string) {
	langs = make([]string, 0, len(name))
	keys = make([]string, 0, len(name))
	for _, l := range name.Langs() {
		if name[l] != "" {
			langs = append(langs, l)
			keys = append(keys, category.NameKey(name[l]))
		}
	}
	return langs, keys
}

func nameJSON(name i18n.Text) (string, error) {
	if name == nil {
		name = i18n.Text{}
	}
	b, err := json.Marshal(name)
	return string(b), err
}

// clashes returns the names of c that other live categories use on level
// (CAT-3), from the unique index of category_names.
func (r categoryRepo) clashes(ctx context.Context, c category.Category, level int) ([]category.Clash, error) {
	langs, keys := nameKeys(c.Name)
	if len(langs) == 0 {
		return nil, nil
	}
	rows, err := r.tx.QueryContext(ctx, `SELECT n.lang, n.category_id, c.name ->> n.lang
FROM unnest(?4::text[], ?5::text[]) AS x(lang, key)
CROSS JOIN LATERAL (SELECT category_id, lang FROM category_names
	WHERE service_id = ?0 AND tree = ?1 AND level = ?2 AND lang = x.lang AND name_key = x.key AND category_id <> ?3 OFFSET 0) n
JOIN categories c ON c.service_id = ?0 AND c.id = n.category_id`,
		r.sid, string(c.Tree), level, c.ID, pgdialect.Array(langs), pgdialect.Array(keys))
	if err != nil {
		return nil, mapErr(err, "names of category "+c.ID)
	}
	defer rows.Close()
	var out []category.Clash
	for rows.Next() {
		cl := category.Clash{Tree: c.Tree, Level: level, ID: c.ID}
		if err := rows.Scan(&cl.Lang, &cl.ExistingID, &cl.ExistingName); err != nil {
			return nil, mapErr(err, "names of category "+c.ID)
		}
		cl.Name = c.Name[cl.Lang]
		out = append(out, cl)
	}
	return out, mapErr(rows.Err(), "names of category "+c.ID)
}

// createCategory inserts the category after its live siblings, and its
// names; no row comes back when the id is taken.
const createCategory = `WITH c AS (
	INSERT INTO categories (service_id, id, tree, parent_id, path, position, name, enabled, created_at, updated_at)
	SELECT ?0, ?1, ?2, ?3, ?4::text[],
		(SELECT count(*) FROM categories WHERE service_id = ?0 AND tree = ?2 AND parent_id = ?3 AND NOT deleted),
		?5::jsonb, ?6, ?7, ?8
	ON CONFLICT (service_id, id) DO NOTHING
	RETURNING position
), n AS (
	INSERT INTO category_names (service_id, category_id, lang, tree, level, name_key)
	SELECT ?0, ?1, x.lang, ?2, ?9, x.key FROM c, unnest(?10::text[], ?11::text[]) AS x(lang, key)
)
SELECT position FROM c`

func (r categoryRepo) Create(ctx context.Context, c *category.Category) error {
	if !c.Tree.Valid() {
		return fmt.Errorf("category tree %q: %w", c.Tree, helpdesk.ErrInvalid)
	}
	if err := r.lock(ctx); err != nil {
		return err
	}
	path := []string{}
	if c.ParentID != "" {
		p, err := r.live(ctx, "parent", c.ParentID, c.Tree)
		if err != nil {
			return err
		}
		path = append(append(path, p.Path...), p.ID)
	}
	if len(path)+1 > category.MaxDepth {
		return &category.DepthError{ID: c.ID, Level: len(path) + 1}
	}
	n := *c
	n.Path, n.Deleted = path, false
	cls, err := r.clashes(ctx, n, n.Level())
	if err != nil {
		return err
	}
	if err := category.NewClashError(cls); err != nil {
		return err
	}
	name, err := nameJSON(n.Name)
	if err != nil {
		return err
	}
	langs, keys := nameKeys(n.Name)
	err = r.tx.NewRaw(createCategory, r.sid, n.ID, string(n.Tree), n.ParentID, pgdialect.Array(path), name, n.Enabled,
		n.CreatedAt, n.UpdatedAt, n.Level(), pgdialect.Array(langs), pgdialect.Array(keys)).Scan(ctx, &n.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("category %q exists: %w", c.ID, helpdesk.ErrConflict)
	}
	if err != nil {
		return mapErr(err, "category "+c.ID)
	}
	if len(n.Path) == 0 {
		n.Path = nil
	}
	*c = n.Clone()
	return nil
}

// updateCategory writes the name and toggle and replaces the name rows.
const updateCategory = `WITH u AS (
	UPDATE categories SET name = ?2::jsonb, enabled = ?3, updated_at = ?4 WHERE service_id = ?0 AND id = ?1
), d AS (
	DELETE FROM category_names WHERE service_id = ?0 AND category_id = ?1 AND NOT (lang = ANY(?5::text[]))
)
INSERT INTO category_names (service_id, category_id, lang, tree, level, name_key)
SELECT ?0, ?1, x.lang, ?6, ?7, x.key FROM unnest(?5::text[], ?8::text[]) AS x(lang, key)
ON CONFLICT (service_id, category_id, lang) DO UPDATE SET name_key = EXCLUDED.name_key`

func (r categoryRepo) Update(ctx context.Context, c *category.Category) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	cur, err := r.live(ctx, "category", c.ID, "")
	if err != nil {
		return err
	}
	cur.Name, cur.Enabled, cur.UpdatedAt = c.Name.Clone(), c.Enabled, c.UpdatedAt
	cls, err := r.clashes(ctx, cur, cur.Level())
	if err != nil {
		return err
	}
	if err := category.NewClashError(cls); err != nil {
		return err
	}
	name, err := nameJSON(cur.Name)
	if err != nil {
		return err
	}
	langs, keys := nameKeys(cur.Name)
	if _, err := r.tx.NewRaw(updateCategory, r.sid, cur.ID, name, cur.Enabled, cur.UpdatedAt,
		pgdialect.Array(langs), string(cur.Tree), cur.Level(), pgdialect.Array(keys)).Exec(ctx); err != nil {
		return mapErr(err, "category "+c.ID)
	}
	*c = cur.Clone()
	return nil
}

// moveClashes finds the names of the moved subtree that live categories
// outside it use on the subtree's new levels (level + delta).
const moveClashes = `SELECT m.category_id, m.level + ?2, m.lang, mc.name ->> m.lang, e.category_id, ec.name ->> e.lang
FROM category_names m
JOIN category_names e ON e.service_id = m.service_id AND e.tree = m.tree AND e.level = m.level + ?2
	AND e.lang = m.lang AND e.name_key = m.name_key
JOIN categories mc ON mc.service_id = m.service_id AND mc.id = m.category_id
JOIN categories ec ON ec.service_id = e.service_id AND ec.id = e.category_id
WHERE m.service_id = ?0 AND m.category_id = ANY(?1::text[]) AND NOT (e.category_id = ANY(?1::text[]))`

// moveCategory closes the gap among the old siblings, rewrites the path
// prefix of the subtree (?5 is the 1-based index of the moved id in the
// descendants' paths), appends the moved category to the new parent's
// children and shifts the levels of the subtree's names.
const moveCategory = `WITH g AS (
	UPDATE categories SET position = position - 1
	WHERE service_id = ?0 AND tree = ?1 AND parent_id = ?2 AND NOT deleted AND position > ?3
), s AS (
	UPDATE categories SET path = ?4::text[] || path[?5:],
		parent_id = CASE WHEN id = ?6 THEN ?7 ELSE parent_id END,
		position = CASE WHEN id = ?6
			THEN (SELECT count(*) FROM categories WHERE service_id = ?0 AND tree = ?1 AND parent_id = ?7 AND NOT deleted)
			ELSE position END,
		updated_at = CASE WHEN id = ?6 THEN ?8 ELSE updated_at END
	WHERE service_id = ?0 AND NOT deleted AND (id = ?6 OR ?6 = ANY(path))
	RETURNING id, position
), n AS (
	UPDATE category_names SET level = level + ?9 WHERE service_id = ?0 AND category_id = ANY(?10::text[])
)
SELECT position FROM s WHERE id = ?6`

func (r categoryRepo) Move(ctx context.Context, id, parentID string, at time.Time) (category.Category, error) {
	if err := r.lock(ctx); err != nil {
		return category.Category{}, err
	}
	sub, err := r.query(ctx, "category "+id, `SELECT `+categoryColumns+` FROM categories
WHERE service_id = ? AND NOT deleted AND (id = ? OR ? = ANY(path)) ORDER BY cardinality(path)`, r.sid, id, id)
	if err != nil {
		return category.Category{}, err
	}
	if len(sub) == 0 || sub[0].ID != id {
		return category.Category{}, fmt.Errorf("category %q: %w", id, helpdesk.ErrNotFound)
	}
	c := sub[0]
	var parent *category.Category
	prefix := []string{}
	if parentID != "" {
		p, err := r.live(ctx, "parent", parentID, c.Tree)
		if err != nil {
			return category.Category{}, err
		}
		parent, prefix = &p, append(append(prefix, p.Path...), p.ID)
	}
	if err := category.CheckMove(sub, parent); err != nil {
		return category.Category{}, err
	}
	if parentID == c.ParentID {
		return c, nil
	}
	ids := make([]string, len(sub))
	for i, d := range sub {
		ids[i] = d.ID
	}
	delta := len(prefix) - len(c.Path)
	rows, err := r.tx.QueryContext(ctx, moveClashes, r.sid, pgdialect.Array(ids), delta)
	if err != nil {
		return category.Category{}, mapErr(err, "names of category "+id)
	}
	var cls []category.Clash
	for rows.Next() {
		cl := category.Clash{Tree: c.Tree}
		if err := rows.Scan(&cl.ID, &cl.Level, &cl.Lang, &cl.Name, &cl.ExistingID, &cl.ExistingName); err != nil {
			rows.Close()
			return category.Category{}, mapErr(err, "names of category "+id)
		}
		cls = append(cls, cl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return category.Category{}, mapErr(err, "names of category "+id)
	}
	if err := category.NewClashError(cls); err != nil {
		return category.Category{}, err
	}
	err = r.tx.NewRaw(moveCategory, r.sid, string(c.Tree), c.ParentID, c.Position, pgdialect.Array(prefix), len(c.Path)+1,
		id, parentID, at, delta, pgdialect.Array(ids)).Scan(ctx, &c.Position)
	if err != nil {
		return category.Category{}, mapErr(err, "category "+id)
	}
	c.ParentID, c.UpdatedAt = parentID, at
	c.Path = nil
	if len(prefix) > 0 {
		c.Path = prefix
	}
	return c, nil
}

func (r categoryRepo) Reorder(ctx context.Context, tree category.Tree, parentID string, ids []string) error {
	if !tree.Valid() {
		return fmt.Errorf("category tree %q: %w", tree, helpdesk.ErrInvalid)
	}
	if err := r.lock(ctx); err != nil {
		return err
	}
	if parentID != "" {
		if _, err := r.live(ctx, "parent", parentID, tree); err != nil {
			return err
		}
	}
	kids, err := r.query(ctx, "children of "+parentID, `SELECT `+categoryColumns+` FROM categories
WHERE service_id = ? AND tree = ? AND parent_id = ? AND NOT deleted`, r.sid, string(tree), parentID)
	if err != nil {
		return err
	}
	if err := category.CheckReorder(ids, kids); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = r.tx.NewRaw(`UPDATE categories c SET position = x.ord - 1
FROM unnest(?1::text[]) WITH ORDINALITY AS x(id, ord)
WHERE c.service_id = ?0 AND c.id = x.id AND c.position <> x.ord - 1`, r.sid, pgdialect.Array(ids)).Exec(ctx)
	return mapErr(err, "children of "+parentID)
}

// deleteCategory marks the category and its live descendants deleted,
// frees their names and closes the gap among the siblings.
const deleteCategory = `WITH r AS (
	SELECT tree, parent_id, position FROM categories WHERE service_id = ?0 AND id = ?1 AND NOT deleted
), d AS (
	UPDATE categories SET deleted = true, updated_at = ?2
	WHERE service_id = ?0 AND NOT deleted AND (id = ?1 OR ?1 = ANY(path))
	RETURNING id, path, position
), n AS (
	DELETE FROM category_names WHERE service_id = ?0 AND category_id IN (SELECT id FROM d)
), g AS (
	UPDATE categories c SET position = c.position - 1 FROM r
	WHERE c.service_id = ?0 AND c.tree = r.tree AND c.parent_id = r.parent_id AND NOT c.deleted AND c.position > r.position
)
SELECT id FROM d ORDER BY cardinality(path), position, id COLLATE "C"`

func (r categoryRepo) Delete(ctx context.Context, id string, at time.Time) ([]string, error) {
	if err := r.lock(ctx); err != nil {
		return nil, err
	}
	var ids []string
	if err := r.tx.NewRaw(deleteCategory, r.sid, id, at).Scan(ctx, &ids); err != nil {
		return nil, mapErr(err, "category "+id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("category %q: %w", id, helpdesk.ErrNotFound)
	}
	return ids, nil
}
