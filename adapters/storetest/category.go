package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testCategoryRepository holds the conformance cases of category.Repository:
// the store keeps rows as it is given them and reads them back, per
// service, and makes no rule checks (those are the category package's
// plans, tested there and in the category workflow stories).
func testCategoryRepository(t *testing.T, s helpdesk.Store) {
	t.Run("Lock", func(t *testing.T) {
		t.Run("known service", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Categories().Lock(context.Background()))
				return r.Categories().Lock(context.Background()) // again in the same transaction
			})
		})
		t.Run("serialises the service's writers", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			var mu sync.Mutex
			var events []string
			note := func(e string) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, e)
			}
			locked := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				assert.NoError(t, catDo(s, svc, func(r category.Repository) error {
					if err := r.Lock(context.Background()); err != nil {
						return err
					}
					close(locked)
					time.Sleep(100 * time.Millisecond)
					note("first ends")
					return nil
				}))
			})
			<-locked
			assert.NoError(t, catDo(s, svc, func(r category.Repository) error {
				if err := r.Lock(context.Background()); err != nil {
					return err
				}
				note("second locked")
				return nil
			}))
			wg.Wait()
			assert.Equal(t, []string{"first ends", "second locked"}, events)
		})
	})

	t.Run("Insert", func(t *testing.T) {
		t.Run("every field round-trips", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			root := catRow(category.Intake, nil, 0, names("결제", "Billing"))
			child := catRow(category.Intake, &root, 3, names("환불", ""))
			child.Enabled, child.UpdatedAt = false, catAt(2)
			gone := catRow(category.Processing, nil, 1, names("처리", ""))
			gone.Deleted = true
			catInsert(t, s, svc, root, child, gone)
			for _, c := range []category.Category{root, child, gone} {
				assert.Equal(t, c, catGet(t, s, svc, c.ID))
			}
		})
		t.Run("stores rows as given, without rule checks", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("같은 이름", ""))
			same := catRow(category.Intake, nil, 0, names("같은 이름", "")) // same name, same position
			deep := catRow(category.Intake, nil, 9, names("깊이", ""))
			deep.ParentID, deep.Path = "nowhere", []string{"p1", "p2", "p3", "p4", "p5", "nowhere"} // level 7, unknown parent
			odd := catRow("other", nil, 0, names("다른 나무", ""))
			catInsert(t, s, svc, a, same, deep, odd)
			assert.ElementsMatch(t, []category.Category{a, same, deep}, catTree(t, s, svc, category.Intake))
			assert.Equal(t, odd, catGet(t, s, svc, odd.ID))
		})
		t.Run("a taken id is ErrConflict", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			gone := catRow(category.Intake, nil, 1, names("나", ""))
			gone.Deleted = true
			catInsert(t, s, svc, a, gone)
			for _, c := range []category.Category{a, gone} { // ids are never reused (CAT-7)
				dup := catRow(category.Processing, nil, 5, names("다른", ""))
				dup.ID = c.ID
				err := catDo(s, svc, func(r category.Repository) error {
					err := r.Insert(context.Background(), dup)
					assert.ErrorIs(t, err, helpdesk.ErrConflict)
					_, err2 := r.Get(context.Background(), c.ID) // the transaction stays usable
					assert.NoError(t, err2)
					return err
				})
				assert.ErrorIs(t, err, helpdesk.ErrConflict)
				assert.Equal(t, c, catGet(t, s, svc, c.ID), "unchanged")
			}
		})
		t.Run("unknown service", func(t *testing.T) {
			t.Parallel()
			err := catDo(s, newID(), func(r category.Repository) error {
				return r.Insert(context.Background(), catRow(category.Intake, nil, 0, names("가", "")))
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("ids are per service", func(t *testing.T) {
			t.Parallel()
			svc, other := catService(t, s), catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			catInsert(t, s, svc, a)
			b := a
			b.Name = names("나", "")
			catInsert(t, s, other, b)
			assert.Equal(t, a, catGet(t, s, svc, a.ID))
			assert.Equal(t, b, catGet(t, s, other, a.ID))
		})
		t.Run("rolled back with its transaction", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Categories().Insert(context.Background(), a))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			_, err = catRead(s, svc, a.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			catInsert(t, s, svc, a) // the id is free
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			root := catRow(category.Intake, nil, 0, names("가", ""))
			c := catRow(category.Intake, &root, 0, names("가1", "A1"))
			want := c.Clone()
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Categories().Insert(context.Background(), c))
				c.Name["ko"], c.Path[0] = "changed", "changed" // after the write, in the same transaction
				got, err := r.Categories().Get(context.Background(), c.ID)
				require.NoError(t, err)
				assert.Equal(t, want, got)
				return nil
			})
			assert.Equal(t, want, catGet(t, s, svc, c.ID))
		})
	})

	t.Run("Get", func(t *testing.T) {
		t.Run("unknown id", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			_, err := catRead(s, svc, newID())
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("another service's category", func(t *testing.T) {
			t.Parallel()
			svc, other := catService(t, s), catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			catInsert(t, s, svc, a)
			_, err := catRead(s, other, a.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			root := catRow(category.Intake, nil, 0, names("가", ""))
			c := catRow(category.Intake, &root, 0, names("가1", ""))
			catInsert(t, s, svc, c)
			got := catGet(t, s, svc, c.ID)
			got.Name["ko"], got.Path[0] = "changed", "changed"
			assert.Equal(t, c, catGet(t, s, svc, c.ID))
		})
	})

	t.Run("Path", func(t *testing.T) {
		t.Run("root first, deleted or not", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("결제", "Billing"))
			b := catRow(category.Intake, &a, 0, names("환불", ""))
			b.Deleted = true
			c := catRow(category.Intake, &b, 0, names("부분 환불", ""))
			c.Deleted = true
			catInsert(t, s, svc, c, a, b)
			assert.Equal(t, []category.Category{a, b, c}, catPath(t, s, svc, c.ID))
			assert.Equal(t, []category.Category{a}, catPath(t, s, svc, a.ID), "a root")
		})
		t.Run("follows the category's own stored path", func(t *testing.T) {
			t.Parallel()
			// a deleted category keeps the path it had; its ancestors may have
			// moved since, so that their own paths order them otherwise
			svc := catService(t, s)
			x := catRow(category.Intake, nil, 0, names("X", ""))
			y := catRow(category.Intake, &x, 0, names("Y", ""))
			a := catRow(category.Intake, nil, 1, names("A", ""))
			b := catRow(category.Intake, &a, 0, names("B", ""))
			c := catRow(category.Intake, &b, 0, names("C", ""))
			c.Deleted = true
			catInsert(t, s, svc, x, y, a, b, c)
			movedA := a
			movedA.ParentID, movedA.Path = y.ID, []string{x.ID, y.ID}
			movedB := b // a root now, above its old parent
			movedB.ParentID, movedB.Path, movedB.Position = "", nil, 2
			catSave(t, s, svc, movedA, movedB)
			assert.Equal(t, []category.Category{movedA, movedB, c}, catPath(t, s, svc, c.ID))
		})
		t.Run("unknown id", func(t *testing.T) {
			t.Parallel()
			svc, other := catService(t, s), catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			catInsert(t, s, svc, a)
			for _, sv := range []string{svc, other} {
				id := newID()
				if sv == other {
					id = a.ID // another service's category
				}
				err := catDo(s, sv, func(r category.Repository) error {
					_, err := r.Path(context.Background(), id)
					return err
				})
				assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			}
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			b := catRow(category.Intake, &a, 0, names("나", ""))
			catInsert(t, s, svc, a, b)
			got := catPath(t, s, svc, b.ID)
			got[0].Name["ko"], got[1].Name["ko"], got[1].Path[0] = "changed", "changed", "changed"
			assert.Equal(t, []category.Category{a, b}, catPath(t, s, svc, b.ID))
		})
	})

	t.Run("Tree", func(t *testing.T) {
		t.Run("the live categories of one tree", func(t *testing.T) {
			t.Parallel()
			svc, other := catService(t, s), catService(t, s)
			a := catRow(category.Intake, nil, 1, names("가", ""))
			a1 := catRow(category.Intake, &a, 0, names("가1", ""))
			b := catRow(category.Intake, nil, 0, names("나", ""))
			gone := catRow(category.Intake, nil, 2, names("다", ""))
			gone.Deleted = true
			p := catRow(category.Processing, nil, 0, names("처리", ""))
			catInsert(t, s, svc, a, a1, b, gone, p)
			catInsert(t, s, other, catRow(category.Intake, nil, 0, names("남의 것", "")))
			assert.ElementsMatch(t, []category.Category{a, a1, b}, catTree(t, s, svc, category.Intake))
			assert.Equal(t, []category.Category{p}, catTree(t, s, svc, category.Processing))
			assert.Empty(t, catTree(t, s, svc, "other"), "an unknown tree has no categories")
			assert.Empty(t, catTree(t, s, catService(t, s), category.Intake), "a service without categories")
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			a1 := catRow(category.Intake, &a, 0, names("가1", ""))
			catInsert(t, s, svc, a, a1)
			got := catTree(t, s, svc, category.Intake)
			for i := range got {
				got[i].Name["ko"] = "changed"
				if len(got[i].Path) > 0 {
					got[i].Path[0] = "changed"
				}
			}
			assert.ElementsMatch(t, []category.Category{a, a1}, catTree(t, s, svc, category.Intake))
		})
	})

	t.Run("Save", func(t *testing.T) {
		t.Run("writes the rows as given", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", "A"))
			b := catRow(category.Intake, nil, 1, names("나", ""))
			b1 := catRow(category.Intake, &b, 0, names("나1", ""))
			catInsert(t, s, svc, a, b, b1)

			na := a // every saved column changes
			na.ParentID, na.Path, na.Position = b.ID, []string{b.ID}, 1
			na.Name, na.Enabled, na.Deleted, na.UpdatedAt = names("가 바뀜", ""), false, true, catAt(9)
			nb1 := b1
			nb1.ParentID, nb1.Path, nb1.Position = "", nil, 7 // no checks: a gap is stored as given
			catSave(t, s, svc, na, nb1)
			assert.Equal(t, na, catGet(t, s, svc, a.ID))
			assert.Equal(t, nb1, catGet(t, s, svc, b1.ID))
			assert.Equal(t, b, catGet(t, s, svc, b.ID), "untouched")

			fixed := na // id, tree and creation time stay as stored
			fixed.Tree, fixed.CreatedAt, fixed.Enabled = category.Processing, catAt(99), true
			catSave(t, s, svc, fixed)
			want := fixed
			want.Tree, want.CreatedAt = a.Tree, a.CreatedAt
			assert.Equal(t, want, catGet(t, s, svc, a.ID))
			catSave(t, s, svc) // nothing to save
		})
		t.Run("an unknown row is ErrNotFound", func(t *testing.T) {
			t.Parallel()
			svc, other := catService(t, s), catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			catInsert(t, s, svc, a)
			catInsert(t, s, other, catRow(category.Intake, nil, 0, names("남의 것", "")))
			for name, sv := range map[string]string{"unknown id": svc, "another service's category": other} {
				c := catRow(category.Intake, nil, 0, names("새", ""))
				if sv == other {
					c = a
					c.Name = names("탈취", "")
				}
				err := catDo(s, sv, func(r category.Repository) error { return r.Save(context.Background(), c) })
				assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
			}
			assert.Equal(t, a, catGet(t, s, svc, a.ID))
		})
		t.Run("rolled back with its transaction", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			catInsert(t, s, svc, a)
			err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error {
				u := a
				u.Name, u.Deleted = names("바뀜", ""), true
				require.NoError(t, r.Categories().Save(context.Background(), u))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			assert.Equal(t, a, catGet(t, s, svc, a.ID))
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := catService(t, s)
			a := catRow(category.Intake, nil, 0, names("가", ""))
			b := catRow(category.Intake, nil, 1, names("나", ""))
			catInsert(t, s, svc, a, b)
			u := b
			u.ParentID, u.Path, u.Name = a.ID, []string{a.ID}, names("나 바뀜", "B")
			want := u.Clone()
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Categories().Save(context.Background(), u))
				u.Name["ko"], u.Path[0] = "changed", "changed"
				got, err := r.Categories().Get(context.Background(), u.ID)
				require.NoError(t, err)
				assert.Equal(t, want, got)
				return nil
			})
			assert.Equal(t, want, catGet(t, s, svc, b.ID))
		})
	})
}

func names(ko, en string) i18n.Text {
	n := i18n.Text{"ko": ko}
	if en != "" {
		n["en"] = en
	}
	return n
}

// catAt is a time of the i-th step of a test (not on a whole second).
func catAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 7*time.Microsecond) }

// catService makes a service of its own for one case.
func catService(t *testing.T, s helpdesk.Store) string {
	t.Helper()
	svc := newID()
	mkService(t, s, svc)
	return svc
}

// catRow is a category row under parent (a root when nil), as a plan
// would hand it to the store.
func catRow(tree category.Tree, parent *category.Category, pos int, name i18n.Text) category.Category {
	c := category.Category{ID: newID(), Tree: tree, Position: pos, Name: name, Enabled: true, CreatedAt: catAt(1), UpdatedAt: catAt(1)}
	if parent != nil {
		c.ParentID = parent.ID
		c.Path = append(append([]string{}, parent.Path...), parent.ID)
	}
	return c
}

// catDo runs fn on the service's category repository in a transaction of
// its own and returns its error.
func catDo(s helpdesk.Store, svc string, fn func(category.Repository) error) error {
	return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return fn(r.Categories()) })
}

func catInsert(t *testing.T, s helpdesk.Store, svc string, cs ...category.Category) {
	t.Helper()
	require.NoError(t, catDo(s, svc, func(r category.Repository) error {
		for _, c := range cs {
			if err := r.Insert(context.Background(), c); err != nil {
				return err
			}
		}
		return nil
	}))
}

func catSave(t *testing.T, s helpdesk.Store, svc string, cs ...category.Category) {
	t.Helper()
	require.NoError(t, catDo(s, svc, func(r category.Repository) error { return r.Save(context.Background(), cs...) }))
}

func catRead(s helpdesk.Store, svc, id string) (category.Category, error) {
	var out category.Category
	err := catDo(s, svc, func(r category.Repository) (err error) {
		out, err = r.Get(context.Background(), id)
		return err
	})
	return out, err
}

func catGet(t *testing.T, s helpdesk.Store, svc, id string) category.Category {
	t.Helper()
	c, err := catRead(s, svc, id)
	require.NoError(t, err)
	return c
}

func catPath(t *testing.T, s helpdesk.Store, svc, id string) []category.Category {
	t.Helper()
	var out []category.Category
	require.NoError(t, catDo(s, svc, func(r category.Repository) (err error) {
		out, err = r.Path(context.Background(), id)
		return err
	}))
	return out
}

func catTree(t *testing.T, s helpdesk.Store, svc string, tree category.Tree) []category.Category {
	t.Helper()
	var out []category.Category
	require.NoError(t, catDo(s, svc, func(r category.Repository) (err error) {
		out, err = r.Tree(context.Background(), tree)
		return err
	}))
	return out
}
