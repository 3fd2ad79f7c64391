package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// newService creates a service with a fresh id and returns the id.
func newService(t *testing.T, s helpdesk.Store) string {
	t.Helper()
	id := newID()
	mkService(t, s, id)
	return id
}

// fullTicket is mkTicket(i) with every optional field set, slices and maps
// included.
func fullTicket(i int) ticket.Ticket {
	tk := mkTicket(i)
	tk.Tags = []string{"a", "b"}
	tk.IntakeCategoryID, tk.ProcessingCategoryID, tk.GroupID, tk.AssigneeID = "intake", "proc", "group", "agent"
	tk.CustomerFields = ticket.Fields{"size": 42.5, "colors": []string{"red", "blue"}, "ok": true, "note": "n"}
	tk.AgentFields = ticket.Fields{"severity": "s1"}
	tk.SolvedAt, tk.ClosedAt = base.Add(time.Hour), base.Add(2*time.Hour)
	tk.FollowUpOf = "earlier"
	return tk
}

// scribbleTicket changes every slice and map of tk in place.
func scribbleTicket(tk *ticket.Ticket) {
	if len(tk.Tags) > 0 {
		tk.Tags[0] = "scribbled"
	}
	if tk.CustomerFields != nil {
		if l, ok := tk.CustomerFields["colors"].([]string); ok && len(l) > 0 {
			l[0] = "scribbled"
		}
		tk.CustomerFields["new"] = "scribbled"
	}
	if tk.AgentFields != nil {
		tk.AgentFields["severity"] = "scribbled"
	}
}

// historyOf returns the fields of a service's history rows, in id order.
func historyOf(t *testing.T, s helpdesk.Store, service string, f ticket.ChangeFilter) []string {
	t.Helper()
	var fields []string
	tx(t, s, service, func(r helpdesk.Repos) error {
		return r.Tickets().ScanChanges(context.Background(), f, func(c ticket.Change) error {
			fields = append(fields, c.Field)
			return nil
		})
	})
	return fields
}

func changeRow(id, field string) ticket.Change {
	return ticket.Change{TicketID: id, At: base, ActorKind: ticket.ActorSystem, Event: ticket.EventUpdated, Field: field, To: "v"}
}

// testTicketRepository: tickets, their numbers, comments and history
// (ticket.Repository). Each case works in a service of its own.
func testTicketRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Create", func(t *testing.T) {
		t.Run("round_trip", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, fullTicket(1))
			assert.Equal(t, int64(1), tk.Number)
			assert.Equal(t, svc, tk.ServiceID)
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, tk, got)
		})
		t.Run("unknown_service", func(t *testing.T) {
			t.Parallel()
			tk := mkTicket(1)
			err := s.Tx(ctx, newID(), func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &tk, nil) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a ticket needs its service")
		})
		t.Run("duplicate_id", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				again := mkTicket(2)
				again.ID = tk.ID
				return r.Tickets().Create(ctx, &again, nil)
			})
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
		})
		t.Run("numbers_per_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			assert.Equal(t, int64(1), create(t, s, a, mkTicket(1)).Number)
			assert.Equal(t, int64(1), create(t, s, b, mkTicket(2)).Number)
			assert.Equal(t, int64(2), create(t, s, a, mkTicket(3)).Number)
		})
		t.Run("concurrent_numbers", func(t *testing.T) {
			t.Parallel()
			testConcurrentNumbers(t, s, newService(t, s))
		})
		t.Run("rollback_returns_number", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			var ghost ticket.Ticket
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				ghost = mkTicket(1)
				require.NoError(t, r.Tickets().Create(ctx, &ghost, []ticket.Change{changeRow(ghost.ID, "ticket")}))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			_, err = get(t, s, svc, ghost.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Empty(t, historyOf(t, s, svc, ticket.ChangeFilter{}))
			assert.Equal(t, int64(1), create(t, s, svc, mkTicket(2)).Number, "the failed transaction used up no number")
		})
		t.Run("history_TKT4", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := mkTicket(1)
			tx(t, s, svc, func(r helpdesk.Repos) error {
				return r.Tickets().Create(ctx, &tk, []ticket.Change{changeRow(tk.ID, "ticket"), changeRow(tk.ID, "extra")})
			})
			assert.Equal(t, []string{"ticket", "extra"}, historyOf(t, s, svc, ticket.ChangeFilter{TicketID: tk.ID}))
		})
		t.Run("foreign_history", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			first := create(t, s, svc, mkTicket(1))
			tx(t, s, svc, func(r helpdesk.Repos) error {
				other := mkTicket(2)
				err := r.Tickets().Create(ctx, &other, []ticket.Change{changeRow(first.ID, "foreign")})
				assert.ErrorIs(t, err, helpdesk.ErrInvalid)
				return nil // commit: whatever the refused call wrote would stay
			})
			assert.Empty(t, historyOf(t, s, svc, ticket.ChangeFilter{}))
			p := list(t, s, svc, ticket.Filter{})
			assert.Len(t, p.Tickets, 1, "the refused create wrote no ticket")
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			in := fullTicket(1)
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &in, nil) })
			want := in.Clone()
			scribbleTicket(&in)
			got, err := get(t, s, svc, in.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got, "a value written shares no memory with the store")
		})
	})

	t.Run("Get", func(t *testing.T) {
		t.Run("not_found", func(t *testing.T) {
			t.Parallel()
			_, err := get(t, s, newService(t, s), newID())
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			tk := create(t, s, a, mkTicket(1))
			_, err := get(t, s, b, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, fullTicket(1))
			want := tk.Clone()
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			scribbleTicket(&got)
			again, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, want, again, "a value read back shares no memory with the store")
		})
	})

	t.Run("GetForUpdate", func(t *testing.T) {
		t.Run("reads_like_Get", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, fullTicket(1))
			tx(t, s, svc, func(r helpdesk.Repos) error {
				got, err := r.Tickets().GetForUpdate(ctx, tk.ID)
				require.NoError(t, err)
				assert.Equal(t, tk, got)
				_, err = r.Tickets().GetForUpdate(ctx, newID())
				assert.ErrorIs(t, err, helpdesk.ErrNotFound)
				return nil
			})
		})
		t.Run("serialises_writers_TKT8", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			locked := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
					got, err := r.Tickets().GetForUpdate(ctx, tk.ID)
					close(locked)
					if err != nil {
						return err
					}
					time.Sleep(50 * time.Millisecond) // the second writer arrives meanwhile
					got.Title = "first"
					return r.Tickets().Update(ctx, &got, nil)
				})
				assert.NoError(t, err)
			})
			<-locked
			tx(t, s, svc, func(r helpdesk.Repos) error {
				got, err := r.Tickets().GetForUpdate(ctx, tk.ID)
				require.NoError(t, err)
				assert.Equal(t, "first", got.Title, "waited for the first writer")
				got.Title = "second"
				return r.Tickets().Update(ctx, &got, nil)
			})
			wg.Wait()
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, "second", got.Title)
			assert.Equal(t, int64(3), got.Version)
		})
	})

	t.Run("GetByNumber", func(t *testing.T) {
		t.Run("found_and_not", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			create(t, s, svc, mkTicket(1))
			second := create(t, s, svc, fullTicket(2))
			tx(t, s, svc, func(r helpdesk.Repos) error {
				got, err := r.Tickets().GetByNumber(ctx, 2)
				require.NoError(t, err)
				assert.Equal(t, second, got)
				for _, n := range []int64{0, -1, 3} {
					_, err = r.Tickets().GetByNumber(ctx, n)
					assert.ErrorIs(t, err, helpdesk.ErrNotFound, "#%d", n)
				}
				return nil
			})
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			create(t, s, a, mkTicket(1))
			err := s.Tx(ctx, b, func(r helpdesk.Repos) error {
				_, err := r.Tickets().GetByNumber(ctx, 1)
				return err
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
	})

	t.Run("Update", func(t *testing.T) {
		t.Run("round_trip", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, fullTicket(1))
			upd := tk
			upd.Title, upd.Status = "changed", ticket.StatusOpen
			upd.Tags, upd.CustomerFields, upd.AgentFields = nil, nil, ticket.Fields{"severity": "s2"}
			upd.SolvedAt, upd.ClosedAt = time.Time{}, time.Time{}
			upd.UpdatedAt = base.Add(3 * time.Hour)
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &upd, nil) })
			assert.Equal(t, int64(2), upd.Version)
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, upd, got)
		})
		t.Run("keeps_number_and_created_at", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			upd := tk
			upd.Number, upd.CreatedAt = 99, base.Add(time.Hour)
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &upd, nil) })
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, tk.Number, got.Number)
			assert.Equal(t, tk.CreatedAt, got.CreatedAt)
		})
		t.Run("stale_conflict_TKT8", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			a, b := tk, tk
			a.Title = "first writer"
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &a, nil) })
			b.Title = "second writer"
			tx(t, s, svc, func(r helpdesk.Repos) error {
				err := r.Tickets().Update(ctx, &b, []ticket.Change{changeRow(tk.ID, "stale")})
				assert.ErrorIs(t, err, helpdesk.ErrConflict)
				return nil // commit: whatever the refused call wrote would stay
			})
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, "first writer", got.Title)
			assert.Equal(t, int64(2), got.Version)
			assert.Empty(t, historyOf(t, s, svc, ticket.ChangeFilter{}), "a stale update writes no history")
		})
		t.Run("not_found", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				ghost := mkTicket(1)
				return r.Tickets().Update(ctx, &ghost, nil)
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			tk := create(t, s, a, mkTicket(1))
			err := s.Tx(ctx, b, func(r helpdesk.Repos) error {
				foreign := tk
				foreign.Title = "hijack"
				return r.Tickets().Update(ctx, &foreign, nil)
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			got, err := get(t, s, a, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, tk, got, "untouched")
		})
		t.Run("history_TKT4", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			other := create(t, s, svc, mkTicket(2))
			upd := tk
			upd.Title = "new"
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Tickets().Update(ctx, &upd, []ticket.Change{changeRow(tk.ID, "title")}))
				again := upd
				err := r.Tickets().Update(ctx, &again, []ticket.Change{changeRow(other.ID, "foreign")})
				assert.ErrorIs(t, err, helpdesk.ErrInvalid, "history rows must be the ticket's own")
				return nil
			})
			assert.Equal(t, []string{"title"}, historyOf(t, s, svc, ticket.ChangeFilter{}))
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(2), got.Version, "the refused update wrote nothing")
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			in := fullTicket(1)
			in.ID, in.Number = tk.ID, tk.Number
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &in, nil) })
			want := in.Clone()
			want.ServiceID = svc
			scribbleTicket(&in)
			got, err := get(t, s, svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got, "a value written shares no memory with the store")
		})
	})

	t.Run("List", func(t *testing.T) {
		t.Run("filters", func(t *testing.T) {
			t.Parallel()
			testListFilters(t, s, newService(t, s))
		})
		t.Run("pagination_stable", func(t *testing.T) {
			t.Parallel()
			testPagination(t, s, newService(t, s))
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			create(t, s, a, mkTicket(1))
			tb := create(t, s, b, mkTicket(2))
			p := list(t, s, b, ticket.Filter{})
			require.Len(t, p.Tickets, 1)
			assert.Equal(t, tb.ID, p.Tickets[0].ID)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			want := create(t, s, svc, fullTicket(1)).Clone()
			p := list(t, s, svc, ticket.Filter{})
			require.Len(t, p.Tickets, 1)
			scribbleTicket(&p.Tickets[0])
			assert.Equal(t, []ticket.Ticket{want}, list(t, s, svc, ticket.Filter{}).Tickets)
		})
	})

	t.Run("ListSolved", func(t *testing.T) {
		// solved makes a ticket of svc in status st, solved at base+min.
		solved := func(t *testing.T, svc string, i int, st ticket.Status, min int) ticket.Ticket {
			tk := fullTicket(i)
			tk.Status, tk.SolvedAt, tk.ClosedAt = st, base.Add(time.Duration(min)*time.Minute), time.Time{}
			return create(t, s, svc, tk)
		}
		ids := func(l []ticket.Ticket) []string {
			out := make([]string, len(l))
			for i, tk := range l {
				out[i] = tk.ID
			}
			return out
		}
		listSolved := func(t *testing.T, svc string, until time.Time, limit int) []ticket.Ticket {
			t.Helper()
			var out []ticket.Ticket
			tx(t, s, svc, func(r helpdesk.Repos) (err error) {
				out, err = r.Tickets().ListSolved(ctx, until, limit)
				return err
			})
			return out
		}
		t.Run("due_earliest_first_TKT2", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			t1 := solved(t, svc, 1, ticket.StatusSolved, 60)
			t2 := solved(t, svc, 2, ticket.StatusSolved, 30)
			solved(t, svc, 3, ticket.StatusSolved, 61) // after the cut-off
			solved(t, svc, 4, ticket.StatusOpen, 0)    // reopened: not solved any more
			solved(t, svc, 5, ticket.StatusClosed, 0)  // closed already
			t6 := solved(t, svc, 6, ticket.StatusSolved, 30)
			until := base.Add(time.Hour) // inclusive
			got := listSolved(t, svc, until, 10)
			assert.Equal(t, []string{t2.ID, t6.ID, t1.ID}, ids(got), "by solved time, then number")
			assert.Equal(t, t1, got[2], "whole rows")
			assert.Equal(t, []string{t2.ID, t6.ID}, ids(listSolved(t, svc, until, 2)), "limit")
			// bounds finer than a microsecond compare as the stores keep them
			assert.Len(t, listSolved(t, svc, until.Add(500*time.Nanosecond), 10), 3)
			assert.Len(t, listSolved(t, svc, until.Add(-500*time.Nanosecond), 10), 2)
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			solved(t, a, 1, ticket.StatusSolved, 0)
			assert.Empty(t, listSolved(t, b, base.Add(time.Hour), 10))
		})
		t.Run("invalid_limit", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				_, err := r.Tickets().ListSolved(ctx, base, 0)
				return err
			})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			want := solved(t, svc, 1, ticket.StatusSolved, 0).Clone()
			got := listSolved(t, svc, base, 10)
			require.Len(t, got, 1)
			scribbleTicket(&got[0])
			assert.Equal(t, []ticket.Ticket{want}, listSolved(t, svc, base, 10))
		})
	})

	t.Run("AddComment", func(t *testing.T) {
		t.Run("unknown_ticket", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Tickets().AddComment(ctx, mkComment(newID(), 0)) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("foreign_ticket_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			tk := create(t, s, a, mkTicket(1))
			err := s.Tx(ctx, b, func(r helpdesk.Repos) error { return r.Tickets().AddComment(ctx, mkComment(tk.ID, 0)) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Empty(t, comments(t, s, a, tk.ID))
		})
		t.Run("rollback", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Tickets().AddComment(ctx, mkComment(tk.ID, 0)))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			assert.Empty(t, comments(t, s, svc, tk.ID))
		})
	})

	t.Run("Comments", func(t *testing.T) {
		t.Run("oldest_first", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			t1 := create(t, s, svc, mkTicket(1))
			t2 := create(t, s, svc, mkTicket(2))
			c1 := ticket.Comment{ID: newID(), TicketID: t1.ID, Kind: ticket.CommentPublic, AuthorKind: ticket.ActorAgent, AuthorID: newID(), Body: "안녕하세요", CreatedAt: base}
			c2 := ticket.Comment{ID: newID(), TicketID: t1.ID, Kind: ticket.CommentInternal, AuthorKind: ticket.ActorSystem, FromCustomer: true, Body: "note", CreatedAt: base.Add(time.Minute)}
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Tickets().AddComment(ctx, c1))
				require.NoError(t, r.Tickets().AddComment(ctx, mkComment(t2.ID, 1)))
				return r.Tickets().AddComment(ctx, c2)
			})
			assert.Equal(t, []ticket.Comment{c1, c2}, comments(t, s, svc, t1.ID))
			assert.Empty(t, comments(t, s, svc, newID()))
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			c := mkComment(tk.ID, 0)
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Tickets().AddComment(ctx, c) })
			got := comments(t, s, svc, tk.ID)
			require.Len(t, got, 1)
			got[0] = mkComment(tk.ID, 9) // writes into the returned slice's array
			assert.Equal(t, []ticket.Comment{c}, comments(t, s, svc, tk.ID), "a list read back shares no memory with the store")
		})
	})

	t.Run("AddChanges", func(t *testing.T) {
		t.Run("ids_increase", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			t1 := create(t, s, svc, mkTicket(1))
			t2 := create(t, s, svc, mkTicket(2))
			tx(t, s, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(t1.ID, "a"), changeRow(t2.ID, "b")}))
				require.NoError(t, r.Tickets().AddChanges(ctx, nil))
				return r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(t1.ID, "c")})
			})
			var last int64
			tx(t, s, svc, func(r helpdesk.Repos) error {
				return r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(c ticket.Change) error {
					assert.Greater(t, c.ID, last, "the store assigns increasing ids")
					last = c.ID
					return nil
				})
			})
			assert.Equal(t, []string{"a", "b", "c"}, historyOf(t, s, svc, ticket.ChangeFilter{}))
		})
		t.Run("unknown_ticket", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				return r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(tk.ID, "a"), changeRow(newID(), "b")})
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Empty(t, historyOf(t, s, svc, ticket.ChangeFilter{}))
		})
		t.Run("foreign_ticket_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			tk := create(t, s, a, mkTicket(1))
			err := s.Tx(ctx, b, func(r helpdesk.Repos) error {
				return r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(tk.ID, "a")})
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Empty(t, historyOf(t, s, a, ticket.ChangeFilter{}))
		})
		t.Run("rollback", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(tk.ID, "a")}))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			assert.Empty(t, historyOf(t, s, svc, ticket.ChangeFilter{}))
		})
	})

	t.Run("ScanChanges", func(t *testing.T) {
		t.Run("filters", func(t *testing.T) {
			t.Parallel()
			testScanChanges(t, s, newService(t, s))
		})
		t.Run("foreign_service_SVC1", func(t *testing.T) {
			t.Parallel()
			a, b := newService(t, s), newService(t, s)
			tk := create(t, s, a, mkTicket(1))
			tx(t, s, a, func(r helpdesk.Repos) error {
				return r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(tk.ID, "a")})
			})
			assert.Empty(t, historyOf(t, s, b, ticket.ChangeFilter{}))
			assert.Empty(t, historyOf(t, s, b, ticket.ChangeFilter{TicketID: tk.ID}))
		})
		t.Run("stops_on_error", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			tx(t, s, svc, func(r helpdesk.Repos) error {
				return r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(tk.ID, "a"), changeRow(tk.ID, "b")})
			})
			stop := errors.New("stop")
			n := 0
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				return r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(ticket.Change) error { n++; return stop })
			})
			assert.ErrorIs(t, err, stop)
			assert.Equal(t, 1, n)
		})
	})
}

func mkComment(ticketID string, i int) ticket.Comment {
	return ticket.Comment{ID: newID(), TicketID: ticketID, Kind: ticket.CommentPublic, AuthorKind: ticket.ActorSystem,
		Body: "comment", CreatedAt: base.Add(time.Duration(i) * time.Minute)}
}

func comments(t *testing.T, s helpdesk.Store, service, ticketID string) []ticket.Comment {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]ticket.Comment, error) {
		return r.Tickets().Comments(context.Background(), ticketID)
	})
}

func list(t *testing.T, s helpdesk.Store, service string, f ticket.Filter) ticket.Page {
	t.Helper()
	q, err := f.Query()
	require.NoError(t, err)
	return mustRead(t, s, service, func(r helpdesk.Repos) (ticket.Page, error) { return r.Tickets().List(context.Background(), q) })
}

// testConcurrentNumbers: numbers are allocated without gaps or duplicates
// while many transactions create tickets at once, some of them failing.
func testConcurrentNumbers(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	var numbers []int64
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				tk := mkTicket(w*each + i)
				fail := i%5 == 4 // every fifth transaction rolls back
				err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
					if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				if fail {
					assert.ErrorIs(t, err, errBoom)
					continue
				}
				if assert.NoError(t, err) {
					mu.Lock()
					numbers = append(numbers, tk.Number)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	want := workers * each * 4 / 5
	require.Len(t, numbers, want)
	seen := make(map[int64]bool, want)
	for _, n := range numbers {
		assert.False(t, seen[n], "duplicate number %d", n)
		seen[n] = true
	}
	for n := int64(1); n <= int64(want); n++ {
		assert.True(t, seen[n], "gap at number %d", n)
	}
}

func testListFilters(t *testing.T, s helpdesk.Store, svc string) {
	agentA, groupG, intake, proc := newID(), newID(), newID(), newID()
	var all []ticket.Ticket
	for i := range 12 {
		tk := mkTicket(i)
		tk.Status = ticket.Statuses[i%4]
		if i%2 == 0 {
			tk.AssigneeID = agentA
		}
		if i%3 == 0 {
			tk.GroupID = groupG
		}
		if i%4 == 1 {
			tk.IntakeCategoryID = intake
		}
		if i%5 == 2 {
			tk.ProcessingCategoryID = proc
		}
		all = append(all, create(t, s, svc, tk))
	}
	cases := []ticket.Filter{
		{},
		{Statuses: []ticket.Status{ticket.StatusOpen}},
		{Statuses: []ticket.Status{ticket.StatusOpen, ticket.StatusPending}},
		{AssigneeID: agentA},
		{GroupID: groupG},
		{IntakeCategoryID: intake},
		{ProcessingCategoryID: proc},
		{RequesterEmail: "C1@example.com"},
		{AssigneeID: agentA, Statuses: []ticket.Status{ticket.StatusNew}},
		{AssigneeID: newID()},
	}
	for _, f := range cases {
		var want []string
		for i := len(all) - 1; i >= 0; i-- {
			if f.Matches(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		p := list(t, s, svc, f)
		var got []string
		for _, tk := range p.Tickets {
			got = append(got, tk.ID)
		}
		assert.Empty(t, p.Next)
		assert.Equal(t, want, got, "filter %+v", f)
	}
}

// testPagination: walking pages while new tickets arrive returns every
// earlier ticket exactly once, newest first.
func testPagination(t *testing.T, s helpdesk.Store, svc string) {
	var ids []string
	for i := range 23 {
		ids = append(ids, create(t, s, svc, mkTicket(i)).ID)
	}
	var got []string
	f := ticket.Filter{Limit: 5}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		p := list(t, s, svc, f)
		for _, tk := range p.Tickets {
			got = append(got, tk.ID)
		}
		create(t, s, svc, mkTicket(100+pages)) // arrives between pages
		if p.Next == "" {
			break
		}
		assert.Len(t, p.Tickets, 5)
		f.Cursor = p.Next
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	assert.Equal(t, ids, got)
}

// testScanChanges: the filters of ScanChanges, whole rows, paging by id.
func testScanChanges(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	t1 := create(t, s, svc, mkTicket(1))
	t2 := create(t, s, svc, mkTicket(2))
	ch := func(tid string, min int, field string) ticket.Change {
		return ticket.Change{TicketID: tid, At: base.Add(time.Duration(min) * time.Minute), ActorKind: ticket.ActorAgent, ActorID: "a1", Event: ticket.EventUpdated, Field: field, From: "x", To: "y"}
	}
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{ch(t1.ID, 0, "a"), ch(t2.ID, 1, "b")}))
		return r.Tickets().AddChanges(ctx, []ticket.Change{ch(t1.ID, 2, "c"), ch(t1.ID, 3, "d")})
	})
	assert.Equal(t, []string{"a", "b", "c", "d"}, historyOf(t, s, svc, ticket.ChangeFilter{}))
	assert.Equal(t, []string{"a", "c", "d"}, historyOf(t, s, svc, ticket.ChangeFilter{TicketID: t1.ID}))
	assert.Equal(t, []string{"b", "c"}, historyOf(t, s, svc, ticket.ChangeFilter{Since: base.Add(time.Minute), Until: base.Add(3 * time.Minute)}))
	// bounds finer than a microsecond compare as the stores keep them
	assert.Equal(t, []string{"b", "c", "d"}, historyOf(t, s, svc, ticket.ChangeFilter{Since: base.Add(time.Minute + 500*time.Nanosecond)}))
	var rows []ticket.Change
	tx(t, s, svc, func(r helpdesk.Repos) error {
		return r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(c ticket.Change) error { rows = append(rows, c); return nil })
	})
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"c", "d"}, historyOf(t, s, svc, ticket.ChangeFilter{AfterID: rows[1].ID}), "paging by id")
	want := ch(t2.ID, 1, "b")
	want.ID = rows[1].ID
	assert.Equal(t, want, rows[1], "whole rows")
}
