package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testFieldRepository holds the conformance cases of field.Repository: the
// store persists and reads definition rows and layouts exactly as given and
// decides nothing (no system defaults, no duplicate-key or layout rules;
// those are tested with the field package and the helpdesk workflows).
// Each case uses its own service.
func testFieldRepository(t *testing.T, s helpdesk.Store) {
	t.Run("Lock", func(t *testing.T) { testFieldLock(t, s) })
	t.Run("Row", func(t *testing.T) { testFieldRow(t, s) })
	t.Run("Rows", func(t *testing.T) { testFieldRows(t, s) })
	t.Run("Insert", func(t *testing.T) { testFieldInsert(t, s) })
	t.Run("Put", func(t *testing.T) { testFieldPut(t, s) })
	t.Run("Delete", func(t *testing.T) { testFieldDelete(t, s) })
	t.Run("Layouts", func(t *testing.T) { testFieldLayouts(t, s) })
	t.Run("PutLayouts", func(t *testing.T) { testFieldPutLayouts(t, s) })
	t.Run("DeleteLayout", func(t *testing.T) { testFieldDeleteLayout(t, s) })
	t.Run("Load", func(t *testing.T) { testFieldLoad(t, s) })
	t.Run("Rollback", func(t *testing.T) { testFieldRollback(t, s) })
}

// fieldSvc creates a service of its own for one case.
func fieldSvc(t *testing.T, s helpdesk.Store) string {
	t.Helper()
	id := newID()
	mkService(t, s, id)
	return id
}

// fieldDo runs fn on the field repository of a transaction of svc.
func fieldDo(s helpdesk.Store, svc string, fn func(field.Repository) error) error {
	return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return fn(r.Fields()) })
}

// fieldTx is fieldDo that fails the test on error.
func fieldTx(t *testing.T, s helpdesk.Store, svc string, fn func(field.Repository) error) {
	t.Helper()
	require.NoError(t, fieldDo(s, svc, fn))
}

// userField returns a user field created (and updated) at base plus sec
// seconds and 7µs, so that stores must keep microseconds.
func userField(key string, k field.Kind, typ field.Type, sec int) field.Field {
	at := base.Add(time.Duration(sec)*time.Second + 7*time.Microsecond)
	f := field.Field{Key: key, Kind: k, Type: typ, Label: i18n.Text{"ko": key, "en": key}, CreatedAt: at, UpdatedAt: at}
	if typ.HasOptions() {
		f.Options = []field.Option{{Value: "s", Label: i18n.Text{"ko": "소", "en": "Small"}}, {Value: "l"}}
	}
	return f
}

// fldFull is a user field with every part set.
func fldFull(key string) field.Field {
	f := userField(key, field.KindCustomer, field.TypeMultiSelect, 3)
	f.HelpText = i18n.Text{"ko": "도움말", "en": "Help"}
	f.Required = true
	f.UpdatedAt = f.UpdatedAt.Add(time.Minute)
	return f
}

// fldChangedSystemRow is the row of a system field an admin changed.
func fldChangedSystemRow() field.Field {
	f, _ := field.SystemField(field.KeyPriority)
	f.Options[0].Label = i18n.Text{"en": "Whenever"}
	f.Required = false
	f.UpdatedAt = base.Add(time.Hour)
	return f
}

func fldRow(t *testing.T, s helpdesk.Store, svc, key string) field.Field {
	t.Helper()
	var out field.Field
	fieldTx(t, s, svc, func(r field.Repository) (err error) {
		out, err = r.Row(context.Background(), key)
		return err
	})
	return out
}

func fldRows(t *testing.T, s helpdesk.Store, svc string) []field.Field {
	t.Helper()
	var out []field.Field
	fieldTx(t, s, svc, func(r field.Repository) (err error) {
		out, err = r.Rows(context.Background())
		return err
	})
	return out
}

func fldLayouts(t *testing.T, s helpdesk.Store, svc string) []field.Layout {
	t.Helper()
	var out []field.Layout
	fieldTx(t, s, svc, func(r field.Repository) (err error) {
		out, err = r.Layouts(context.Background())
		return err
	})
	return out
}

func fldLoad(t *testing.T, s helpdesk.Store, svc, intake string) field.Stored {
	t.Helper()
	var out field.Stored
	fieldTx(t, s, svc, func(r field.Repository) (err error) {
		out, err = r.Load(context.Background(), intake)
		return err
	})
	return out
}

func testFieldLock(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("a second Lock waits for the first transaction to end", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := userField("locked", field.KindAgent, field.TypeText, 0)
		locked, release := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			first <- fieldDo(s, svc, func(r field.Repository) error {
				if err := r.Lock(ctx); err != nil {
					close(locked)
					return err
				}
				close(locked)
				<-release // the second transaction is waiting by now
				return r.Insert(ctx, f)
			})
		}()
		<-locked
		second := make(chan error, 1)
		var seen field.Field
		go func() {
			second <- fieldDo(s, svc, func(r field.Repository) (err error) {
				if err := r.Lock(ctx); err != nil {
					return err
				}
				seen, err = r.Row(ctx, f.Key)
				return err
			})
		}()
		time.Sleep(100 * time.Millisecond)
		close(release)
		require.NoError(t, <-first)
		require.NoError(t, <-second, "the second transaction reads after the first committed")
		assert.Equal(t, f, seen)
	})
}

func testFieldRow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("unknown key is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		err := fieldDo(s, svc, func(r field.Repository) error { _, err := r.Row(ctx, "nope"); return err })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("a system field without a row is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		err := fieldDo(s, svc, func(r field.Repository) error { _, err := r.Row(ctx, field.KeyTitle); return err })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "the store adds no defaults")
	})
	t.Run("another service's row is ErrNotFound (SVC-1)", func(t *testing.T) {
		t.Parallel()
		mine, other := fieldSvc(t, s), fieldSvc(t, s)
		fieldTx(t, s, mine, func(r field.Repository) error { return r.Insert(ctx, fldFull("iso")) })
		err := fieldDo(s, other, func(r field.Repository) error { _, err := r.Row(ctx, "iso"); return err })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("returns a copy", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("alias")
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Insert(ctx, f) })
		got := fldRow(t, s, svc, f.Key)
		got.Label["en"] = "MUTATED"
		got.HelpText["ko"] = "MUTATED"
		got.Options[0].Value = "MUTATED"
		got.Options[0].Label["en"] = "MUTATED"
		assert.Equal(t, f, fldRow(t, s, svc, f.Key))
	})
}

func testFieldRows(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("a new service has no rows", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, fldRows(t, s, fieldSvc(t, s)), "system fields are not seeded")
	})
	t.Run("every row of the service, system rows included", func(t *testing.T) {
		t.Parallel()
		svc, other := fieldSvc(t, s), fieldSvc(t, s)
		rows := []field.Field{fldFull("b_full"), userField("a_note", field.KindAgent, field.TypeText, 1),
			userField("c_size", field.KindCustomer, field.TypeSelect, 2), fldChangedSystemRow()}
		fieldTx(t, s, svc, func(r field.Repository) error {
			for _, f := range rows {
				require.NoError(t, r.Insert(ctx, f))
			}
			return nil
		})
		fieldTx(t, s, other, func(r field.Repository) error { return r.Insert(ctx, fldFull("theirs")) })
		assert.ElementsMatch(t, rows, fldRows(t, s, svc))
	})
	t.Run("returns copies", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("alias")
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Insert(ctx, f) })
		got := fldRows(t, s, svc)
		require.Len(t, got, 1)
		got[0].Label["en"] = "MUTATED"
		got[0].Options[1].Value = "MUTATED"
		got[0].Options[0].Label["ko"] = "MUTATED"
		assert.Equal(t, []field.Field{f}, fldRows(t, s, svc))
	})
}

func testFieldInsert(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("stores every part", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f, bare := fldFull("full"), field.Field{Key: "bare", Kind: field.KindAgent, Type: field.TypeCheckbox}
		fieldTx(t, s, svc, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, f))
			return r.Insert(ctx, bare)
		})
		assert.Equal(t, f, fldRow(t, s, svc, f.Key))
		assert.Equal(t, bare, fldRow(t, s, svc, bare.Key), "empty texts, options and times stay empty")
	})
	t.Run("a row for a system key is stored as given", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		row := fldChangedSystemRow()
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Insert(ctx, row) })
		assert.Equal(t, row, fldRow(t, s, svc, row.Key), "the store applies no system-field rule")
	})
	t.Run("a taken key is ErrConflict and the transaction stays usable", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		first, next := fldFull("dup"), userField("next", field.KindAgent, field.TypeNumber, 1)
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Insert(ctx, first) })
		fieldTx(t, s, svc, func(r field.Repository) error {
			err := r.Insert(ctx, userField("dup", field.KindAgent, field.TypeNumber, 5))
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
			return r.Insert(ctx, next)
		})
		assert.ElementsMatch(t, []field.Field{first, next}, fldRows(t, s, svc), "the first row stays")
	})
	t.Run("the same key in another service (SVC-1)", func(t *testing.T) {
		t.Parallel()
		mine, other := fieldSvc(t, s), fieldSvc(t, s)
		a, b := fldFull("same"), userField("same", field.KindAgent, field.TypeNumber, 9)
		fieldTx(t, s, mine, func(r field.Repository) error { return r.Insert(ctx, a) })
		fieldTx(t, s, other, func(r field.Repository) error { return r.Insert(ctx, b) })
		assert.Equal(t, a, fldRow(t, s, mine, "same"))
		assert.Equal(t, b, fldRow(t, s, other, "same"))
	})
	t.Run("an unknown service is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		err := fieldDo(s, newID(), func(r field.Repository) error { return r.Insert(ctx, fldFull("x")) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("stores a copy", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("alias")
		want := f.Clone()
		fieldTx(t, s, svc, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, f))
			f.Label["en"] = "MUTATED"
			f.HelpText["ko"] = "MUTATED"
			f.Options[0].Value = "MUTATED"
			f.Options[1].Label = i18n.Text{"en": "MUTATED"}
			got, err := r.Row(ctx, f.Key)
			assert.Equal(t, want, got, "in the transaction")
			return err
		})
		assert.Equal(t, want, fldRow(t, s, svc, want.Key))
	})
}

func testFieldPut(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("inserts a row where there is none", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		row := fldChangedSystemRow()
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Put(ctx, row) })
		assert.Equal(t, []field.Field{row}, fldRows(t, s, svc))
	})
	t.Run("replaces every part of the row", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("repl")
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Insert(ctx, f) })
		n := field.Field{Key: f.Key, Kind: field.KindAgent, Type: field.TypeSelect, System: true, Label: i18n.Text{"en": "Sizes"},
			Options: []field.Option{{Value: "xl", Label: i18n.Text{"ko": "특대"}}}, CreatedAt: base.Add(time.Hour),
			UpdatedAt: base.Add(2*time.Hour + 3*time.Microsecond)}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Put(ctx, n) })
		assert.Equal(t, []field.Field{n}, fldRows(t, s, svc), "help text and required cleared, the rest replaced")
	})
	t.Run("an unknown service is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		err := fieldDo(s, newID(), func(r field.Repository) error { return r.Put(ctx, fldFull("x")) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("stores a copy", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("alias")
		want := f.Clone()
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Put(ctx, f) })
		f.Label["en"] = "MUTATED"
		f.Options[0].Label["ko"] = "MUTATED"
		f.Options[1].Value = "MUTATED"
		assert.Equal(t, want, fldRow(t, s, svc, want.Key))
	})
}

func testFieldDelete(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("removes the row only; layouts are not touched", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		gone, kept := fldFull("gone"), userField("kept", field.KindCustomer, field.TypeText, 1)
		l := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"gone", "kept"}}
		fieldTx(t, s, svc, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, gone))
			require.NoError(t, r.Insert(ctx, kept))
			return r.PutLayouts(ctx, l)
		})
		fieldTx(t, s, svc, func(r field.Repository) error { return r.Delete(ctx, "gone") })
		assert.Equal(t, []field.Field{kept}, fldRows(t, s, svc))
		assert.Equal(t, []field.Layout{l}, fldLayouts(t, s, svc))
	})
	t.Run("a key without a row is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		err := fieldDo(s, svc, func(r field.Repository) error { return r.Delete(ctx, "nope") })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		err = fieldDo(s, svc, func(r field.Repository) error { return r.Delete(ctx, field.KeyEmail) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a system field at its defaults has no row")
	})
	t.Run("another service's row is ErrNotFound (SVC-1)", func(t *testing.T) {
		t.Parallel()
		mine, other := fieldSvc(t, s), fieldSvc(t, s)
		f := fldFull("iso")
		fieldTx(t, s, mine, func(r field.Repository) error { return r.Insert(ctx, f) })
		err := fieldDo(s, other, func(r field.Repository) error { return r.Delete(ctx, "iso") })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, f, fldRow(t, s, mine, "iso"))
	})
	t.Run("a deleted key can be inserted again", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		f := fldFull("again")
		fieldTx(t, s, svc, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, f))
			require.NoError(t, r.Delete(ctx, f.Key))
			return r.Insert(ctx, f)
		})
		assert.Equal(t, f, fldRow(t, s, svc, f.Key))
	})
}

func testFieldLayouts(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("none stored", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, fldLayouts(t, s, fieldSvc(t, s)), "nothing is inherited or generated here")
	})
	t.Run("every stored layout of the service", func(t *testing.T) {
		t.Parallel()
		svc, other := fieldSvc(t, s), fieldSvc(t, s)
		ls := []field.Layout{
			{Kind: field.KindAgent, Keys: []string{"priority", "note"}},
			{Kind: field.KindCustomer, Keys: []string{"title"}},
			{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"size", "title"}},
			{Kind: field.KindCustomer, IntakeCategoryID: "cat2", Keys: []string{}},
		}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, ls...) })
		fieldTx(t, s, other, func(r field.Repository) error {
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat3", Keys: []string{"x"}})
		})
		assert.ElementsMatch(t, ls, fldLayouts(t, s, svc))
	})
	t.Run("returns copies", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		l := field.Layout{Kind: field.KindAgent, Keys: []string{"a", "b"}}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, l) })
		got := fldLayouts(t, s, svc)
		require.Len(t, got, 1)
		got[0].Keys[0] = "MUTATED"
		assert.Equal(t, []field.Layout{l}, fldLayouts(t, s, svc))
	})
}

func testFieldPutLayouts(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("stores the keys as given", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		l := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"nope", "privacy_consent", "nope", "intake_type"}}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, l) })
		assert.Equal(t, []field.Layout{l}, fldLayouts(t, s, svc), "no pins placed, no key checked")
	})
	t.Run("replaces the stored layout of the same kind and category", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		agent := field.Layout{Kind: field.KindAgent, Keys: []string{"a"}}
		def := field.Layout{Kind: field.KindCustomer, Keys: []string{"a"}}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, agent, def) })
		def.Keys = []string{"b", "c"}
		empty := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: nil}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, def, empty) })
		empty.Keys = []string{}
		assert.ElementsMatch(t, []field.Layout{agent, def, empty}, fldLayouts(t, s, svc), "nil keys read back empty")
	})
	t.Run("Inherited is not stored", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		fieldTx(t, s, svc, func(r field.Repository) error {
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindAgent, Keys: []string{"a"}, Inherited: true})
		})
		assert.Equal(t, []field.Layout{{Kind: field.KindAgent, Keys: []string{"a"}}}, fldLayouts(t, s, svc))
	})
	t.Run("none is no error", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx) })
		assert.Empty(t, fldLayouts(t, s, svc))
	})
	t.Run("an unknown service is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		err := fieldDo(s, newID(), func(r field.Repository) error {
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindAgent, Keys: []string{"a"}})
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("stores a copy", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		keys := []string{"a", "b"}
		fieldTx(t, s, svc, func(r field.Repository) error {
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindAgent, Keys: keys})
		})
		keys[0] = "MUTATED"
		assert.Equal(t, []field.Layout{{Kind: field.KindAgent, Keys: []string{"a", "b"}}}, fldLayouts(t, s, svc))
	})
}

func testFieldDeleteLayout(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("removes that layout only", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		agent := field.Layout{Kind: field.KindAgent, Keys: []string{"a"}}
		def := field.Layout{Kind: field.KindCustomer, Keys: []string{"b"}}
		cat := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"c"}}
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, agent, def, cat) })
		fieldTx(t, s, svc, func(r field.Repository) error { return r.DeleteLayout(ctx, field.KindCustomer, "") })
		assert.ElementsMatch(t, []field.Layout{agent, cat}, fldLayouts(t, s, svc))
	})
	t.Run("a layout never stored is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		fieldTx(t, s, svc, func(r field.Repository) error {
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"c"}})
		})
		err := fieldDo(s, svc, func(r field.Repository) error { return r.DeleteLayout(ctx, field.KindAgent, "cat1") })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		err = fieldDo(s, svc, func(r field.Repository) error { return r.DeleteLayout(ctx, field.KindCustomer, "cat2") })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Len(t, fldLayouts(t, s, svc), 1)
	})
}

func testFieldLoad(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agent := field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority", "note"}}
	def := field.Layout{Kind: field.KindCustomer, Keys: []string{"intake_type", "title"}}
	cat1 := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"size"}}
	cat2 := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat2", Keys: []string{"title"}}
	rows := []field.Field{fldFull("size"), userField("note", field.KindAgent, field.TypeText, 1), fldChangedSystemRow()}
	fill := func(t *testing.T) string {
		svc := fieldSvc(t, s)
		fieldTx(t, s, svc, func(r field.Repository) error {
			for _, f := range rows {
				require.NoError(t, r.Insert(ctx, f))
			}
			return r.PutLayouts(ctx, agent, def, cat1, cat2)
		})
		return svc
	}
	t.Run("every row and the agent, default and category layouts", func(t *testing.T) {
		t.Parallel()
		svc := fill(t)
		other := fieldSvc(t, s)
		fieldTx(t, s, other, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, fldFull("theirs")))
			return r.PutLayouts(ctx, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"theirs"}})
		})
		st := fldLoad(t, s, svc, "cat1")
		assert.ElementsMatch(t, rows, st.Fields)
		assert.ElementsMatch(t, []field.Layout{agent, def, cat1}, st.Layouts, "other categories and services left out")
	})
	t.Run("intake category without a layout", func(t *testing.T) {
		t.Parallel()
		st := fldLoad(t, s, fill(t), "cat9")
		assert.ElementsMatch(t, []field.Layout{agent, def}, st.Layouts)
	})
	t.Run("intake category \"\"", func(t *testing.T) {
		t.Parallel()
		st := fldLoad(t, s, fill(t), "")
		assert.ElementsMatch(t, rows, st.Fields)
		assert.ElementsMatch(t, []field.Layout{agent, def}, st.Layouts)
	})
	t.Run("a customer layout only", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		fieldTx(t, s, svc, func(r field.Repository) error { return r.PutLayouts(ctx, cat2) })
		st := fldLoad(t, s, svc, "cat2")
		assert.Empty(t, st.Fields)
		assert.Equal(t, []field.Layout{cat2}, st.Layouts)
	})
	t.Run("a new service has nothing stored", func(t *testing.T) {
		t.Parallel()
		st := fldLoad(t, s, fieldSvc(t, s), "cat1")
		assert.Empty(t, st.Fields)
		assert.Empty(t, st.Layouts)
	})
	t.Run("returns copies", func(t *testing.T) {
		t.Parallel()
		svc := fill(t)
		st := fldLoad(t, s, svc, "cat1")
		for i := range st.Fields {
			st.Fields[i].Label["en"] = "MUTATED"
			for j := range st.Fields[i].Options {
				st.Fields[i].Options[j].Value = "MUTATED"
			}
		}
		for i := range st.Layouts {
			st.Layouts[i].Keys[0] = "MUTATED"
		}
		st = fldLoad(t, s, svc, "cat1")
		assert.ElementsMatch(t, rows, st.Fields)
		assert.ElementsMatch(t, []field.Layout{agent, def, cat1}, st.Layouts)
	})
}

func testFieldRollback(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("a failed transaction writes nothing", func(t *testing.T) {
		t.Parallel()
		svc := fieldSvc(t, s)
		keep := fldFull("keep")
		gone := userField("gone", field.KindAgent, field.TypeText, 1)
		l := field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"keep"}}
		fieldTx(t, s, svc, func(r field.Repository) error {
			require.NoError(t, r.Insert(ctx, keep))
			require.NoError(t, r.Insert(ctx, gone))
			return r.PutLayouts(ctx, l)
		})
		rows, layouts := fldRows(t, s, svc), fldLayouts(t, s, svc)
		fail := func(r field.Repository) {
			require.NoError(t, r.Insert(ctx, fldFull("ghost")))
			changed := keep
			changed.Required = false
			require.NoError(t, r.Put(ctx, changed))
			require.NoError(t, r.Put(ctx, fldChangedSystemRow()))
			require.NoError(t, r.Delete(ctx, gone.Key))
			require.NoError(t, r.PutLayouts(ctx, field.Layout{Kind: field.KindAgent, Keys: []string{"x"}},
				field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"ghost"}}))
			require.NoError(t, r.DeleteLayout(ctx, field.KindCustomer, "cat1"))
		}
		err := fieldDo(s, svc, func(r field.Repository) error { fail(r); return errBoom })
		require.ErrorIs(t, err, errBoom)
		assert.Panics(t, func() { _ = fieldDo(s, svc, func(r field.Repository) error { fail(r); panic("boom") }) })
		assert.ElementsMatch(t, rows, fldRows(t, s, svc))
		assert.ElementsMatch(t, layouts, fldLayouts(t, s, svc))
	})
}
