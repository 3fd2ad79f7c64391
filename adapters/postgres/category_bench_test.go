package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

const benchNodes = 2000

// tree2000 stores a 2,000-category intake tree in service "bench" through
// the repository: 10 roots, each category with up to 6 children, four
// levels, Korean and English names.
func tree2000(b *testing.B) *postgres.Store {
	b.Helper()
	ctx := context.Background()
	s := open(b)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	err := s.Tx(ctx, "bench", func(r helpdesk.Repos) error {
		if err := r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "bench", Version: 1, CreatedAt: at, UpdatedAt: at,
			Settings: helpdesk.Settings{Name: "Bench", Languages: []string{"ko", "en"}, DefaultLanguage: "ko"}}); err != nil {
			return err
		}
		cs := make([]category.Category, benchNodes)
		kids := map[string]int{} // children so far, per parent
		for i := range benchNodes {
			c := category.Category{ID: uuid.Must(uuid.NewV7()).String(), Tree: category.Intake, Enabled: true,
				Name: i18n.Text{"ko": fmt.Sprintf("유형 %d", i), "en": fmt.Sprintf("Type %d", i)}, CreatedAt: at, UpdatedAt: at}
			if i >= 10 {
				p := cs[(i-10)/6]
				c.ParentID, c.Path = p.ID, append(append([]string{}, p.Path...), p.ID)
			}
			c.Position = kids[c.ParentID]
			kids[c.ParentID]++
			if err := r.Categories().Insert(ctx, c); err != nil {
				return err
			}
			cs[i] = c
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkLoadTree2000 loads a 2,000-category tree as Categories.Tree does,
// in its own transaction: the repository's one indexed query, names and
// ancestor paths decoded, then ordered depth first (category.Order).
func BenchmarkLoadTree2000(b *testing.B) {
	s := tree2000(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := s.Tx(ctx, "bench", func(r helpdesk.Repos) error {
			cs, err := r.Categories().Tree(ctx, category.Intake)
			cs = category.Order(cs)
			if err == nil && len(cs) != benchNodes {
				err = fmt.Errorf("loaded %d categories", len(cs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadTree2000_RawRows is the baseline: the same rows in a
// transaction, scanned as raw bytes with nothing decoded or ordered.
func BenchmarkLoadTree2000_RawRows(b *testing.B) {
	s := tree2000(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := s.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, tree, parent_id, path, position, name, enabled, deleted, created_at, updated_at
FROM categories WHERE service_id = ? AND tree = ? AND NOT deleted`, "bench", "intake")
			if err != nil {
				return err
			}
			defer rows.Close()
			cols := make([]sql.RawBytes, 10)
			dest := make([]any, len(cols))
			for i := range cols {
				dest[i] = &cols[i]
			}
			n := 0
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					return err
				}
				n++
			}
			if n != benchNodes {
				return fmt.Errorf("loaded %d rows", n)
			}
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
