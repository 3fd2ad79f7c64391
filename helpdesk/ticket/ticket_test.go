package ticket_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// validTicket returns a ticket that passes Validate with DefaultLimits.
func validTicket() ticket.Ticket {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	return ticket.Ticket{
		ID:        "t-1",
		ServiceID: "svc-1",
		Number:    7,
		Version:   3,
		Requester: ticket.Requester{Name: "Kim", Email: "kim@example.com", Phone: "010-1234-5678"},
		Title:     "Cannot log in",
		Content:   "The login page says my password is wrong.",
		Channel:   ticket.ChannelEmail,
		Language:  "ko",
		Status:    ticket.StatusOpen,
		Priority:  ticket.PriorityNormal,

		IntakeCategoryID:     "cat-in",
		ProcessingCategoryID: "cat-proc",
		GroupID:              "grp-1",
		AssigneeID:           "agt-1",
		Tags:                 []string{"login", "vip"},
		CustomerFields:       ticket.Fields{"size": 2.0, "colors": []string{"red", "blue"}, "consent": true},
		AgentFields:          ticket.Fields{"note": "called back"},

		CreatedAt: at,
		UpdatedAt: at.Add(time.Hour),
	}
}

// requireValidation asserts err is a *errs.ValidationError and returns it.
func requireValidation(t *testing.T, err error) *errs.ValidationError {
	t.Helper()
	require.Error(t, err)
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, errs.ErrInvalid)
	return ve
}

// problemFields lists the field names of ve's problems, in order.
func problemFields(ve *errs.ValidationError) []string {
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.Field
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// ---- Validate ------------------------------------------------------------

func TestTicket_TKT1_ValidTicketPasses(t *testing.T) {
	tk := validTicket()
	require.NoError(t, tk.Validate(ticket.DefaultLimits))

	for _, s := range ticket.Statuses {
		tk.Status = s
		assert.NoError(t, tk.Validate(ticket.DefaultLimits), "status %s", s)
	}
	for _, p := range ticket.Priorities {
		tk.Priority = p
		assert.NoError(t, tk.Validate(ticket.DefaultLimits), "priority %s", p)
	}
	for _, c := range ticket.Channels {
		tk.Channel = c
		assert.NoError(t, tk.Validate(ticket.DefaultLimits), "channel %s", c)
	}
}

func TestTicket_DefaultLimits(t *testing.T) {
	assert.Equal(t, 1024, ticket.DefaultLimits.MaxTitleBytes)
	assert.Equal(t, 1<<20, ticket.DefaultLimits.MaxContentBytes)
}

func TestTicket_Validate_EachBadField(t *testing.T) {
	limits := ticket.Limits{MaxTitleBytes: 10, MaxContentBytes: 20}
	tests := []struct {
		name   string
		mutate func(*ticket.Ticket)
		field  string
		reason string
	}{
		{"empty title", func(tk *ticket.Ticket) { tk.Title = "" }, "title", "is required"},
		{"blank title", func(tk *ticket.Ticket) { tk.Title = " \t\n " }, "title", "is required"},
		{"empty content", func(tk *ticket.Ticket) { tk.Content = "" }, "content", "is required"},
		{"blank content", func(tk *ticket.Ticket) { tk.Content = "\u3000 " }, "content", "is required"},
		{"title over limit", func(tk *ticket.Ticket) { tk.Title = strings.Repeat("a", 11) }, "title", "over the limit of 10"},
		{"title over limit in bytes not runes", func(tk *ticket.Ticket) { tk.Title = "가나다라" }, "title", "is 12 bytes"},
		{"content over limit", func(tk *ticket.Ticket) { tk.Content = strings.Repeat("b", 21) }, "content", "over the limit of 20"},
		{"title invalid UTF-8", func(tk *ticket.Ticket) { tk.Title = "ok\xff" }, "title", "not valid UTF-8"},
		{"content invalid UTF-8", func(tk *ticket.Ticket) { tk.Content = "\xc3\x28" }, "content", "not valid UTF-8"},
		{"unknown status", func(tk *ticket.Ticket) { tk.Status = "archived" }, "status", `"archived"`},
		{"empty status", func(tk *ticket.Ticket) { tk.Status = "" }, "status", "unknown status"},
		{"unknown priority", func(tk *ticket.Ticket) { tk.Priority = "critical" }, "priority", `"critical"`},
		{"empty priority", func(tk *ticket.Ticket) { tk.Priority = "" }, "priority", "unknown priority"},
		{"unknown channel", func(tk *ticket.Ticket) { tk.Channel = "sms" }, "channel", `"sms"`},
		{"empty channel", func(tk *ticket.Ticket) { tk.Channel = "" }, "channel", "unknown channel"},
		{"too many tags", func(tk *ticket.Ticket) {
			tk.Tags = make([]string, 101)
			for i := range tk.Tags {
				tk.Tags[i] = fmt.Sprintf("t%d", i)
			}
		}, "tags", "has 101 tags"},
		{"tag over 100 bytes", func(tk *ticket.Ticket) { tk.Tags = []string{"ok", strings.Repeat("x", 101)} }, "tags", "over 100 bytes"},
		{"tag invalid UTF-8", func(tk *ticket.Ticket) { tk.Tags = []string{"\xfe"} }, "tags", "not UTF-8"},
		{"customer field struct", func(tk *ticket.Ticket) { tk.CustomerFields["addr"] = struct{ City string }{"Seoul"} }, "customer_fields.addr", "unsupported value type"},
		{"customer field []int", func(tk *ticket.Ticket) { tk.CustomerFields["sizes"] = []int{1, 2} }, "customer_fields.sizes", "[]int"},
		{"customer field nil", func(tk *ticket.Ticket) { tk.CustomerFields["gone"] = nil }, "customer_fields.gone", "unsupported value type"},
		{"agent field map", func(tk *ticket.Ticket) { tk.AgentFields["m"] = map[string]string{"a": "b"} }, "agent_fields.m", "unsupported value type"},
		{"agent field []any with number", func(tk *ticket.Ticket) { tk.AgentFields["l"] = []any{"a", 1.0} }, "agent_fields.l", "[]interface {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := validTicket()
			tk.Title, tk.Content = "Login", "Help me"
			require.NoError(t, tk.Validate(limits), "precondition")
			tt.mutate(&tk)
			ve := requireValidation(t, tk.Validate(limits))
			require.Len(t, ve.Problems, 1, "problems: %v", ve.Problems)
			assert.True(t, ve.Has(tt.field), "problems: %v", ve.Problems)
			assert.Contains(t, ve.Problems[0].Reason, tt.reason)
		})
	}
}

func TestTicket_Validate_AtLimitPasses(t *testing.T) {
	limits := ticket.Limits{MaxTitleBytes: 10, MaxContentBytes: 20}
	tk := validTicket()
	tk.Title = strings.Repeat("a", 10)
	tk.Content = strings.Repeat("b", 20)
	tk.Tags = make([]string, 100)
	for i := range tk.Tags {
		tk.Tags[i] = fmt.Sprintf("%03d%s", i, strings.Repeat("z", 97))
		require.Len(t, tk.Tags[i], 100)
	}
	assert.NoError(t, tk.Validate(limits))
}

func TestTicket_Validate_ZeroLimitsMeanNoLimit(t *testing.T) {
	tk := validTicket()
	tk.Title = strings.Repeat("a", 5000)
	tk.Content = strings.Repeat("b", 5000)
	assert.NoError(t, tk.Validate(ticket.Limits{}))
	ve := requireValidation(t, tk.Validate(ticket.DefaultLimits))
	assert.Equal(t, []string{"title"}, problemFields(ve))
}

func TestTicket_Validate_EveryBadFieldAtOnce(t *testing.T) {
	tk := validTicket()
	tk.Title = ""
	tk.Content = "bad \xff"
	tk.Status = "archived"
	tk.Priority = "critical"
	tk.Channel = "fax"
	tk.Tags = []string{strings.Repeat("x", 101)}
	tk.CustomerFields = ticket.Fields{"ok": "fine", "addr": struct{}{}, "nums": []int{1}}
	tk.AgentFields = ticket.Fields{"l": []any{"a", 2}}

	ve := requireValidation(t, tk.Validate(ticket.DefaultLimits))
	want := []string{
		"title", "content", "status", "priority", "channel", "tags",
		"customer_fields.addr", "customer_fields.nums", "agent_fields.l",
	}
	for _, f := range want {
		assert.True(t, ve.Has(f), "missing problem for %s in %v", f, ve.Problems)
	}
	assert.False(t, ve.Has("customer_fields.ok"))
	assert.Equal(t, want, problemFields(ve), "problems are reported in a fixed order")

	msg := ve.Error()
	for _, f := range want {
		assert.Contains(t, msg, f+": ")
	}
}

func TestTicket_Validate_TitleAndContentOverLimitAtOnce(t *testing.T) {
	tk := validTicket()
	tk.Title = strings.Repeat("t", 5)
	tk.Content = strings.Repeat("c", 5)
	ve := requireValidation(t, tk.Validate(ticket.Limits{MaxTitleBytes: 4, MaxContentBytes: 4}))
	assert.Equal(t, []string{"title", "content"}, problemFields(ve))
}

func TestTicket_Validate_TooManyAndTooLongTagsBothReported(t *testing.T) {
	tk := validTicket()
	tk.Tags = make([]string, 101)
	for i := range tk.Tags {
		tk.Tags[i] = strings.Repeat("y", 101)
	}
	ve := requireValidation(t, tk.Validate(ticket.DefaultLimits))
	assert.Equal(t, []string{"tags", "tags"}, problemFields(ve), "count problem plus one (not 101) length problem")
}

// ---- Apply ---------------------------------------------------------------

func TestTicket_Apply_EmptyUpdateChangesNothing(t *testing.T) {
	orig := validTicket()
	got := orig.Apply(ticket.Update{Version: 99})
	assert.Equal(t, validTicket(), got)
	assert.Equal(t, validTicket(), orig, "the receiver is not modified")
}

func TestTicket_Apply_NilPointersLeaveFields(t *testing.T) {
	orig := validTicket()
	got := orig.Apply(ticket.Update{Title: ptr("New title")})
	want := validTicket()
	want.Title = "New title"
	assert.Equal(t, want, got)
}

func TestTicket_Apply_RequesterIsReplacedWhole(t *testing.T) {
	got := validTicket().Apply(ticket.Update{Requester: &ticket.Requester{Name: "Lee"}})
	assert.Equal(t, ticket.Requester{Name: "Lee"}, got.Requester)
}

func TestTicket_Apply_ResultSharesNoMemoryWithReceiver(t *testing.T) {
	orig := validTicket()
	got := orig.Apply(ticket.Update{})
	got.Tags[0] = "MUTATED"
	got.CustomerFields["colors"].([]string)[0] = "MUTATED"
	got.AgentFields["note"] = "MUTATED"
	assert.Equal(t, validTicket(), orig)
}

func TestTicket_Apply_EachPointerSetsItsField(t *testing.T) {
	tests := []struct {
		name  string
		u     ticket.Update
		check func(t *testing.T, got ticket.Ticket)
	}{
		{"requester", ticket.Update{Requester: &ticket.Requester{Name: "Lee", Email: "kim@example.com", Phone: "010-1234-5678"}}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, ticket.Requester{Name: "Lee", Email: "kim@example.com", Phone: "010-1234-5678"}, got.Requester)
		}},
		{"title", ticket.Update{Title: ptr("T2")}, func(t *testing.T, got ticket.Ticket) { assert.Equal(t, "T2", got.Title) }},
		{"title to empty", ticket.Update{Title: ptr("")}, func(t *testing.T, got ticket.Ticket) { assert.Empty(t, got.Title) }},
		{"content", ticket.Update{Content: ptr("C2")}, func(t *testing.T, got ticket.Ticket) { assert.Equal(t, "C2", got.Content) }},
		{"language", ticket.Update{Language: ptr("en")}, func(t *testing.T, got ticket.Ticket) { assert.Equal(t, "en", got.Language) }},
		{"priority", ticket.Update{Priority: ptr(ticket.PriorityUrgent)}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, ticket.PriorityUrgent, got.Priority)
		}},
		{"intake category", ticket.Update{IntakeCategoryID: ptr("cat-2")}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, "cat-2", got.IntakeCategoryID)
		}},
		{"processing category", ticket.Update{ProcessingCategoryID: ptr("cat-3")}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, "cat-3", got.ProcessingCategoryID)
		}},
		{"group", ticket.Update{GroupID: ptr("")}, func(t *testing.T, got ticket.Ticket) { assert.Empty(t, got.GroupID) }},
		{"assignee", ticket.Update{AssigneeID: ptr("agt-9")}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, "agt-9", got.AssigneeID)
		}},
		{"tags normalised", ticket.Update{Tags: &[]string{" VIP ", "billing", "vip", "", "  "}}, func(t *testing.T, got ticket.Ticket) {
			assert.Equal(t, []string{"billing", "vip"}, got.Tags)
		}},
		{"tags cleared", ticket.Update{Tags: &[]string{}}, func(t *testing.T, got ticket.Ticket) { assert.Nil(t, got.Tags) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := validTicket()
			got := orig.Apply(tt.u)
			tt.check(t, got)
			assert.Equal(t, validTicket(), orig, "the receiver is not modified")
			// Apply does not touch identity, version, status or timestamps.
			assert.Equal(t, orig.ID, got.ID)
			assert.Equal(t, orig.Version, got.Version)
			assert.Equal(t, orig.Status, got.Status)
			assert.Equal(t, orig.CreatedAt, got.CreatedAt)
			assert.Equal(t, orig.UpdatedAt, got.UpdatedAt)
			// Exactly one field differs.
			assert.Len(t, ticket.Diff(orig, got), 1, "diff: %v", ticket.Diff(orig, got))
		})
	}
}

func TestTicket_Apply_FieldMerge(t *testing.T) {
	tests := []struct {
		name string
		orig ticket.Fields
		upd  ticket.Fields
		want ticket.Fields
	}{
		{"nil update keeps", ticket.Fields{"a": "1"}, nil, ticket.Fields{"a": "1"}},
		{"empty update keeps", ticket.Fields{"a": "1"}, ticket.Fields{}, ticket.Fields{"a": "1"}},
		{"set and overwrite", ticket.Fields{"a": "1", "b": "2"}, ticket.Fields{"b": "3", "c": true}, ticket.Fields{"a": "1", "b": "3", "c": true}},
		{"nil deletes", ticket.Fields{"a": "1", "b": "2"}, ticket.Fields{"b": nil}, ticket.Fields{"a": "1"}},
		{"nil for missing key is a no-op", ticket.Fields{"a": "1"}, ticket.Fields{"zz": nil}, ticket.Fields{"a": "1"}},
		{"delete last key gives nil", ticket.Fields{"a": "1"}, ticket.Fields{"a": nil}, nil},
		{"delete on nil gives nil", nil, ticket.Fields{"a": nil}, nil},
		{"set on nil", nil, ticket.Fields{"a": 1.5}, ticket.Fields{"a": 1.5}},
		{"set and delete together", ticket.Fields{"a": "1"}, ticket.Fields{"a": nil, "b": []string{"x"}}, ticket.Fields{"b": []string{"x"}}},
	}
	for _, tt := range tests {
		for _, kind := range []string{"customer", "agent"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				orig := validTicket()
				origCopy := validTicket()
				var u ticket.Update
				if kind == "customer" {
					orig.CustomerFields, origCopy.CustomerFields = tt.orig.Clone(), tt.orig.Clone()
					u.CustomerFields = tt.upd
				} else {
					orig.AgentFields, origCopy.AgentFields = tt.orig.Clone(), tt.orig.Clone()
					u.AgentFields = tt.upd
				}
				got := orig.Apply(u)
				if kind == "customer" {
					assert.Equal(t, tt.want, got.CustomerFields)
					assert.Equal(t, origCopy.AgentFields, got.AgentFields, "the other field set is untouched")
				} else {
					assert.Equal(t, tt.want, got.AgentFields)
					assert.Equal(t, origCopy.CustomerFields, got.CustomerFields, "the other field set is untouched")
				}
				assert.Equal(t, origCopy, orig, "the receiver's maps are not modified")
			})
		}
	}
}

// ---- NormalizeTags -------------------------------------------------------

func TestNormalizeTags(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nil", nil, nil},
		{"empty", []string{}, nil},
		{"only blanks", []string{"", " ", "\t\n"}, nil},
		{"trim and lower", []string{"  VIP  ", "Billing"}, []string{"billing", "vip"}},
		{"dedupe after normalising", []string{"a", "A", " a ", "b", "a"}, []string{"a", "b"}},
		{"sorted", []string{"zeta", "alpha", "mu"}, []string{"alpha", "mu", "zeta"}},
		{"unicode lower", []string{"ÉTÉ", "été"}, []string{"été"}},
		{"korean kept", []string{"결제", " 결제 "}, []string{"결제"}},
		{"inner spaces kept", []string{"two words"}, []string{"two words"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []string
			if tt.in != nil {
				in = append([]string{}, tt.in...)
			}
			got := ticket.NormalizeTags(in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, in, "input is not modified")
			assert.Equal(t, got, ticket.NormalizeTags(got), "idempotent")
		})
	}
}

// ---- Fields --------------------------------------------------------------

func TestNormalizeValue(t *testing.T) {
	type point struct{ X int }
	tests := []struct {
		name   string
		in     any
		want   any
		wantOK bool
	}{
		{"string", "x", "x", true},
		{"empty string", "", "", true},
		{"bool", true, true, true},
		{"float64", 2.5, 2.5, true},
		{"int", 3, 3.0, true},
		{"negative int", -7, -7.0, true},
		{"int32", int32(4), 4.0, true},
		{"int64", int64(1 << 40), float64(1 << 40), true},
		{"float32", float32(0.5), 0.5, true},
		{"[]string", []string{"a", "b"}, []string{"a", "b"}, true},
		{"[]any of strings", []any{"a", "b"}, []string{"a", "b"}, true},
		{"empty []any", []any{}, []string{}, true},
		{"[]any with a number", []any{"a", 1.0}, nil, false},
		{"[]any with nil", []any{nil}, nil, false},
		{"nil", nil, nil, false},
		{"struct", point{1}, nil, false},
		{"[]int", []int{1, 2}, nil, false},
		{"map", map[string]any{"a": "b"}, nil, false},
		{"uint", uint(1), nil, false},
		{"int8", int8(1), nil, false},
		{"pointer", ptr("x"), nil, false},
		{"time", time.Unix(0, 0), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ticket.NormalizeValue(tt.in)
			require.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				again, ok2 := ticket.NormalizeValue(got)
				assert.True(t, ok2, "a normalised value is canonical")
				assert.Equal(t, got, again, "normalising is idempotent")
				assert.Equal(t, got, mustNormalizeOne(t, got))
			}
		})
	}
}

func mustNormalizeOne(t *testing.T, v any) any {
	t.Helper()
	out, err := ticket.Fields{"k": v}.Normalize("")
	require.NoError(t, err)
	return out["k"]
}

func TestNormalizeValue_StringSliceIsCopied(t *testing.T) {
	in := []string{"a", "b"}
	got, ok := ticket.NormalizeValue(in)
	require.True(t, ok)
	in[0] = "mutated"
	assert.Equal(t, []string{"a", "b"}, got)
}

func TestFields_Normalize(t *testing.T) {
	t.Run("nil", func(t *testing.T) {
		out, err := ticket.Fields(nil).Normalize("customer_fields.")
		assert.NoError(t, err)
		assert.Nil(t, out)
	})
	t.Run("empty", func(t *testing.T) {
		out, err := ticket.Fields{}.Normalize("customer_fields.")
		assert.NoError(t, err)
		assert.Equal(t, ticket.Fields{}, out)
	})
	t.Run("converts every value", func(t *testing.T) {
		in := ticket.Fields{"n": 3, "n64": int64(-2), "f": float32(1.25), "l": []any{"x", "y"}, "s": "str", "b": false}
		out, err := in.Normalize("customer_fields.")
		require.NoError(t, err)
		assert.Equal(t, ticket.Fields{"n": 3.0, "n64": -2.0, "f": 1.25, "l": []string{"x", "y"}, "s": "str", "b": false}, out)
		assert.Equal(t, 3, in["n"], "input is not modified")
		assert.Equal(t, []any{"x", "y"}, in["l"], "input is not modified")
	})
	t.Run("names every bad key with prefix, sorted", func(t *testing.T) {
		in := ticket.Fields{"zeta": []int{1}, "ok": "fine", "alpha": struct{}{}, "mid": []any{"a", 1}}
		out, err := in.Normalize("agent_fields.")
		ve := requireValidation(t, err)
		assert.Equal(t, []string{"agent_fields.alpha", "agent_fields.mid", "agent_fields.zeta"}, problemFields(ve))
		assert.Contains(t, ve.Problems[2].Reason, "[]int")
		assert.Equal(t, ticket.Fields{"ok": "fine"}, out, "good keys are still converted")
	})
}

func TestFields_Clone(t *testing.T) {
	assert.Nil(t, ticket.Fields(nil).Clone())
	empty := ticket.Fields{}.Clone()
	assert.NotNil(t, empty)
	assert.Empty(t, empty)

	orig := ticket.Fields{"l": []string{"a", "b"}, "s": "x", "n": 1.0}
	c := orig.Clone()
	require.Equal(t, orig, c)

	c["l"].([]string)[0] = "MUTATED"
	c["s"] = "y"
	c["new"] = true
	delete(c, "n")

	assert.Equal(t, ticket.Fields{"l": []string{"a", "b"}, "s": "x", "n": 1.0}, orig)
}

// ---- Ticket.Clone --------------------------------------------------------

func TestTicket_Clone_Independent(t *testing.T) {
	orig := validTicket()
	c := orig.Clone()
	require.Equal(t, orig, c)

	c.Tags[0] = "MUTATED"
	c.Tags = append(c.Tags, "extra")
	c.CustomerFields["colors"].([]string)[0] = "MUTATED"
	c.CustomerFields["size"] = 99.0
	c.CustomerFields["new"] = "x"
	c.AgentFields["note"] = "changed"
	delete(c.AgentFields, "note")
	c.Requester.Name = "Other"
	c.Title = "Other"

	assert.Equal(t, validTicket(), orig)
}

func TestTicket_Clone_NilStaysNil(t *testing.T) {
	c := ticket.Ticket{}.Clone()
	assert.Nil(t, c.Tags)
	assert.Nil(t, c.CustomerFields)
	assert.Nil(t, c.AgentFields)
	assert.Equal(t, ticket.Ticket{}, c)
}

// ---- Diff ----------------------------------------------------------------

func TestDiff_TKT4_EachFieldKind(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*ticket.Ticket)
		want   ticket.FieldChange
	}{
		{"requester name", func(tk *ticket.Ticket) { tk.Requester.Name = "Lee" }, ticket.FieldChange{Field: "requester.name", From: "Kim", To: "Lee"}},
		{"requester email", func(tk *ticket.Ticket) { tk.Requester.Email = "" }, ticket.FieldChange{Field: "requester.email", From: "kim@example.com", To: ""}},
		{"requester phone", func(tk *ticket.Ticket) { tk.Requester.Phone = "02-1" }, ticket.FieldChange{Field: "requester.phone", From: "010-1234-5678", To: "02-1"}},
		{"title", func(tk *ticket.Ticket) { tk.Title = "T" }, ticket.FieldChange{Field: "title", From: "Cannot log in", To: "T"}},
		{"content", func(tk *ticket.Ticket) { tk.Content = "C" }, ticket.FieldChange{Field: "content", From: "The login page says my password is wrong.", To: "C"}},
		{"channel", func(tk *ticket.Ticket) { tk.Channel = ticket.ChannelPhone }, ticket.FieldChange{Field: "channel", From: "email", To: "phone"}},
		{"language", func(tk *ticket.Ticket) { tk.Language = "ja" }, ticket.FieldChange{Field: "language", From: "ko", To: "ja"}},
		{"status", func(tk *ticket.Ticket) { tk.Status = ticket.StatusSolved }, ticket.FieldChange{Field: "status", From: "open", To: "solved"}},
		{"priority", func(tk *ticket.Ticket) { tk.Priority = ticket.PriorityHigh }, ticket.FieldChange{Field: "priority", From: "normal", To: "high"}},
		{"intake category", func(tk *ticket.Ticket) { tk.IntakeCategoryID = "" }, ticket.FieldChange{Field: "intake_category_id", From: "cat-in", To: ""}},
		{"processing category", func(tk *ticket.Ticket) { tk.ProcessingCategoryID = "p2" }, ticket.FieldChange{Field: "processing_category_id", From: "cat-proc", To: "p2"}},
		{"group", func(tk *ticket.Ticket) { tk.GroupID = "g2" }, ticket.FieldChange{Field: "group_id", From: "grp-1", To: "g2"}},
		{"assignee", func(tk *ticket.Ticket) { tk.AssigneeID = "" }, ticket.FieldChange{Field: "assignee_id", From: "agt-1", To: ""}},
		{"tags added", func(tk *ticket.Ticket) { tk.Tags = append(tk.Tags, "zz") }, ticket.FieldChange{Field: "tags", From: "login, vip", To: "login, vip, zz"}},
		{"tags removed", func(tk *ticket.Ticket) { tk.Tags = nil }, ticket.FieldChange{Field: "tags", From: "login, vip", To: ""}},
		{"customer number", func(tk *ticket.Ticket) { tk.CustomerFields["size"] = 2.5 }, ticket.FieldChange{Field: "customer_fields.size", From: "2", To: "2.5"}},
		{"customer multi select", func(tk *ticket.Ticket) { tk.CustomerFields["colors"] = []string{"red"} }, ticket.FieldChange{Field: "customer_fields.colors", From: "red, blue", To: "red"}},
		{"customer bool", func(tk *ticket.Ticket) { tk.CustomerFields["consent"] = false }, ticket.FieldChange{Field: "customer_fields.consent", From: "true", To: "false"}},
		{"customer key added", func(tk *ticket.Ticket) { tk.CustomerFields["order"] = "A-1" }, ticket.FieldChange{Field: "customer_fields.order", From: "", To: "A-1"}},
		{"customer key removed", func(tk *ticket.Ticket) { delete(tk.CustomerFields, "consent") }, ticket.FieldChange{Field: "customer_fields.consent", From: "true", To: ""}},
		{"agent text", func(tk *ticket.Ticket) { tk.AgentFields["note"] = "done" }, ticket.FieldChange{Field: "agent_fields.note", From: "called back", To: "done"}},
		{"agent fields cleared", func(tk *ticket.Ticket) { tk.AgentFields = nil }, ticket.FieldChange{Field: "agent_fields.note", From: "called back", To: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := validTicket()
			after := validTicket()
			tt.mutate(&after)
			assert.Equal(t, []ticket.FieldChange{tt.want}, ticket.Diff(before, after))
			// Reversed, the same field changes the other way.
			rev := tt.want
			rev.From, rev.To = rev.To, rev.From
			assert.Equal(t, []ticket.FieldChange{rev}, ticket.Diff(after, before))
		})
	}
}

func TestDiff_TKT4_IdenticalTicketsHaveNoChanges(t *testing.T) {
	tk := validTicket()
	assert.Empty(t, ticket.Diff(tk, tk))
	assert.Empty(t, ticket.Diff(tk, tk.Clone()))
	assert.Empty(t, ticket.Diff(ticket.Ticket{}, ticket.Ticket{}))
}

func TestDiff_TKT4_IgnoresBookkeeping(t *testing.T) {
	before := validTicket()
	after := validTicket()
	after.Version++
	after.UpdatedAt = after.UpdatedAt.Add(time.Minute)
	after.SolvedAt = after.UpdatedAt
	after.ID, after.Number = "other", 99
	assert.Empty(t, ticket.Diff(before, after), "only ticket content is history-worthy")
}

func TestDiff_TKT4_OrderIsDeterministic(t *testing.T) {
	before := ticket.Ticket{
		CustomerFields: ticket.Fields{"b": "1", "d": "1", "f": "1"},
		AgentFields:    ticket.Fields{"y": "1"},
	}
	after := ticket.Ticket{
		Requester:            ticket.Requester{Name: "n", Email: "e", Phone: "p"},
		Title:                "t",
		Content:              "c",
		Channel:              ticket.ChannelChat,
		Language:             "en",
		Status:               ticket.StatusNew,
		Priority:             ticket.PriorityLow,
		IntakeCategoryID:     "i",
		ProcessingCategoryID: "p",
		GroupID:              "g",
		AssigneeID:           "a",
		Tags:                 []string{"x"},
		CustomerFields:       ticket.Fields{"a": "1", "b": "2", "c": "1", "e": "1"},
		AgentFields:          ticket.Fields{"x": "1", "z": "1"},
	}
	want := []string{
		"requester.name", "requester.email", "requester.phone", "title", "content",
		"channel", "language", "status", "priority", "intake_category_id",
		"processing_category_id", "group_id", "assignee_id", "tags",
		"customer_fields.a", "customer_fields.b", "customer_fields.c", "customer_fields.d",
		"customer_fields.e", "customer_fields.f",
		"agent_fields.x", "agent_fields.y", "agent_fields.z",
	}
	first := ticket.Diff(before, after)
	fields := make([]string, len(first))
	for i, c := range first {
		fields[i] = c.Field
	}
	require.Equal(t, want, fields)
	// Map iteration order is random; repeat to catch any dependence on it.
	for range 50 {
		assert.Equal(t, first, ticket.Diff(before, after))
	}
}

func TestDiff_TKT4_UnnormalisedNumbersFormatAlike(t *testing.T) {
	before := validTicket()
	after := validTicket()
	before.CustomerFields["size"] = 2
	after.CustomerFields["size"] = 2.0
	assert.Empty(t, ticket.Diff(before, after))
}

// ---- Filter --------------------------------------------------------------

func TestFilter_Normalize(t *testing.T) {
	tests := []struct {
		name       string
		in         ticket.Filter
		wantLimit  int
		wantBefore int64
		wantFields []string // nil: no error
	}{
		{"default limit", ticket.Filter{}, ticket.DefaultPageSize, 0, nil},
		{"explicit limit kept", ticket.Filter{Limit: 10}, 10, 0, nil},
		{"limit one", ticket.Filter{Limit: 1}, 1, 0, nil},
		{"limit at max", ticket.Filter{Limit: ticket.MaxPageSize}, ticket.MaxPageSize, 0, nil},
		{"limit over max", ticket.Filter{Limit: ticket.MaxPageSize + 1}, ticket.MaxPageSize + 1, 0, []string{"limit"}},
		{"negative limit", ticket.Filter{Limit: -1}, -1, 0, []string{"limit"}},
		{"known statuses", ticket.Filter{Statuses: ticket.Statuses}, 50, 0, nil},
		{"unknown status", ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen, "bogus"}}, 50, 0, []string{"statuses"}},
		{"two unknown statuses", ticket.Filter{Statuses: []ticket.Status{"x", "y"}}, 50, 0, []string{"statuses", "statuses"}},
		{"good cursor", ticket.Filter{Cursor: ticket.EncodeCursor(1234)}, 50, 1234, nil},
		{"bad cursor", ticket.Filter{Cursor: "garbage"}, 50, 0, []string{"cursor"}},
		{"zero cursor", ticket.Filter{Cursor: "n0"}, 50, 0, []string{"cursor"}},
		{"every problem at once", ticket.Filter{Limit: -5, Statuses: []ticket.Status{"bogus"}, Cursor: "zz"}, -5, 0, []string{"limit", "statuses", "cursor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.in
			before, err := f.Normalize()
			assert.Equal(t, tt.wantLimit, f.Limit)
			if tt.wantFields == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantBefore, before)
				return
			}
			ve := requireValidation(t, err)
			assert.Equal(t, tt.wantFields, problemFields(ve))
			for _, field := range tt.wantFields {
				assert.True(t, ve.Has(field))
			}
		})
	}
}

func TestFilter_Normalize_CursorProblemNamesCursor(t *testing.T) {
	f := ticket.Filter{Cursor: "x123"}
	_, err := f.Normalize()
	ve := requireValidation(t, err)
	require.Len(t, ve.Problems, 1)
	assert.Contains(t, ve.Problems[0].Reason, `"x123"`)
}

func TestFilter_Matches(t *testing.T) {
	tk := validTicket()
	tests := []struct {
		name string
		f    ticket.Filter
		want bool
	}{
		{"empty filter matches", ticket.Filter{}, true},
		{"status in list", ticket.Filter{Statuses: []ticket.Status{ticket.StatusNew, ticket.StatusOpen}}, true},
		{"status not in list", ticket.Filter{Statuses: []ticket.Status{ticket.StatusClosed}}, false},
		{"assignee", ticket.Filter{AssigneeID: "agt-1"}, true},
		{"other assignee", ticket.Filter{AssigneeID: "agt-2"}, false},
		{"group", ticket.Filter{GroupID: "grp-1"}, true},
		{"other group", ticket.Filter{GroupID: "grp-2"}, false},
		{"intake category", ticket.Filter{IntakeCategoryID: "cat-in"}, true},
		{"other intake category", ticket.Filter{IntakeCategoryID: "cat-x"}, false},
		{"processing category", ticket.Filter{ProcessingCategoryID: "cat-proc"}, true},
		{"other processing category", ticket.Filter{ProcessingCategoryID: "cat-x"}, false},
		{"email exact", ticket.Filter{RequesterEmail: "kim@example.com"}, true},
		{"email case-insensitive", ticket.Filter{RequesterEmail: "KIM@Example.COM"}, true},
		{"other email", ticket.Filter{RequesterEmail: "lee@example.com"}, false},
		{"email prefix does not match", ticket.Filter{RequesterEmail: "kim@"}, false},
		{"ids are case-sensitive", ticket.Filter{AssigneeID: "AGT-1"}, false},
		{"all match", ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen}, AssigneeID: "agt-1", GroupID: "grp-1",
			IntakeCategoryID: "cat-in", ProcessingCategoryID: "cat-proc", RequesterEmail: "Kim@example.com"}, true},
		{"one mismatch fails", ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen}, AssigneeID: "agt-1", GroupID: "grp-2"}, false},
		{"cursor and limit ignored", ticket.Filter{Cursor: "garbage", Limit: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.f.Matches(&tk))
		})
	}
}

func TestFilter_Matches_EmptyTicketFieldOnlyMatchesEmptyFilter(t *testing.T) {
	tk := validTicket()
	tk.AssigneeID = ""
	assert.True(t, (&ticket.Filter{}).Matches(&tk))
	assert.False(t, (&ticket.Filter{AssigneeID: "agt-1"}).Matches(&tk))
}

// ---- Cursor --------------------------------------------------------------

func TestCursor_RoundTrip(t *testing.T) {
	for _, n := range []int64{1, 2, 9, 10, 35, 36, 37, 1295, 1296, 1_000_000, math.MaxInt32, math.MaxInt64} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := ticket.EncodeCursor(n)
			assert.True(t, strings.HasPrefix(c, "n"), c)
			got, err := ticket.DecodeCursor(c)
			require.NoError(t, err)
			assert.Equal(t, n, got)
		})
	}
}

func TestCursor_EncodeIsCompact(t *testing.T) {
	assert.Equal(t, "n1", ticket.EncodeCursor(1))
	assert.Equal(t, "nz", ticket.EncodeCursor(35))
	assert.Equal(t, "n10", ticket.EncodeCursor(36))
}

func TestCursor_DecodeRejects(t *testing.T) {
	for _, s := range []string{
		"", "n", "N1", "x1", "1", " n1", "n1 ", "n-1", "n0", "n-0", "n!", "n1.5",
		"n" + strings.Repeat("z", 14), // overflows int64
		"n\xff", "n1\x00",
	} {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			n, err := ticket.DecodeCursor(s)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), "malformed cursor")
		})
	}
}

// ---- Priority, Channel, FormatValue --------------------------------------

func TestPriority_Rank(t *testing.T) {
	tests := []struct {
		p    ticket.Priority
		rank int
	}{
		{ticket.PriorityLow, 1},
		{ticket.PriorityNormal, 2},
		{ticket.PriorityHigh, 3},
		{ticket.PriorityUrgent, 4},
		{"", 0},
		{"critical", 0},
		{"Urgent", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.p), func(t *testing.T) {
			assert.Equal(t, tt.rank, tt.p.Rank())
			assert.Equal(t, tt.rank > 0, tt.p.Valid())
		})
	}
}

func TestPriority_RankOrdersLowestFirst(t *testing.T) {
	require.Equal(t, []ticket.Priority{"low", "normal", "high", "urgent"}, ticket.Priorities)
	for i := 1; i < len(ticket.Priorities); i++ {
		lo, hi := ticket.Priorities[i-1], ticket.Priorities[i]
		assert.Less(t, lo.Rank(), hi.Rank(), "%s < %s", lo, hi)
	}
	assert.Less(t, ticket.Priority("bogus").Rank(), ticket.PriorityLow.Rank())
}

func TestChannel_Valid(t *testing.T) {
	require.ElementsMatch(t,
		[]ticket.Channel{"help_center", "email", "phone", "chat", "api", "agent"},
		ticket.Channels, "the channels of TKT-1")
	for _, c := range ticket.Channels {
		assert.True(t, c.Valid(), c)
	}
	for _, c := range []ticket.Channel{"", "sms", "Email", "help-center", "web"} {
		assert.False(t, c.Valid(), c)
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, ""},
		{"string", "hello", "hello"},
		{"empty string", "", ""},
		{"true", true, "true"},
		{"false", false, "false"},
		{"integral float", 2.0, "2"},
		{"fraction", 2.5, "2.5"},
		{"negative", -0.125, "-0.125"},
		{"large float not exponent", 1e21, "1000000000000000000000"},
		{"multi select", []string{"a", "b", "c"}, "a, b, c"},
		{"single select list", []string{"a"}, "a"},
		{"empty list", []string{}, ""},
		{"int falls back to fmt", 3, "3"},
		{"[]any falls back to fmt", []any{"a", 1}, "[a 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ticket.FormatValue(tt.in))
		})
	}
}

func TestErrors_AreTheSharedKinds(t *testing.T) {
	assert.Same(t, errs.ErrNotFound, ticket.ErrNotFound)
	assert.Same(t, errs.ErrConflict, ticket.ErrConflict)
}

// Regression: Diff compared values as text, so changes that print alike
// were lost (and with them the update, TKT-4).
func TestDiff_TKT4_ValuesThatPrintAlike(t *testing.T) {
	cases := []struct {
		name          string
		before, after ticket.Ticket
		field         string
	}{
		{"tags", ticket.Ticket{Tags: []string{"a, b"}}, ticket.Ticket{Tags: []string{"a", "b"}}, "tags"},
		{"multi select", ticket.Ticket{CustomerFields: ticket.Fields{"m": []string{"p, q"}}}, ticket.Ticket{CustomerFields: ticket.Fields{"m": []string{"p", "q"}}}, "customer_fields.m"},
		{"string to bool", ticket.Ticket{AgentFields: ticket.Fields{"b": "true"}}, ticket.Ticket{AgentFields: ticket.Fields{"b": true}}, "agent_fields.b"},
		{"string to number", ticket.Ticket{AgentFields: ticket.Fields{"n": "1"}}, ticket.Ticket{AgentFields: ticket.Fields{"n": 1.0}}, "agent_fields.n"},
		{"empty to absent", ticket.Ticket{AgentFields: ticket.Fields{"s": ""}}, ticket.Ticket{}, "agent_fields.s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := ticket.Diff(c.before, c.after)
			require.Len(t, d, 1)
			assert.Equal(t, c.field, d[0].Field)
		})
	}
	same := ticket.Ticket{Tags: []string{"x"}, CustomerFields: ticket.Fields{"n": 2.0, "m": []string{"a"}}}
	assert.Empty(t, ticket.Diff(same, same.Clone()))
}

func TestNormalizeValue_RejectsNaNAndInf(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), float32(math.Inf(1))} {
		_, ok := ticket.NormalizeValue(v)
		assert.False(t, ok, "%v", v)
	}
	err := ticket.Ticket{Title: "t", Content: "c", Status: ticket.StatusNew, Priority: ticket.PriorityLow, Channel: ticket.ChannelAPI,
		CustomerFields: ticket.Fields{"x": math.NaN()}}.Validate(ticket.DefaultLimits)
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("customer_fields.x"))
}

func TestApply_NormalizesAndSharesNothing(t *testing.T) {
	list := []string{"a"}
	got := ticket.Ticket{}.Apply(ticket.Update{CustomerFields: ticket.Fields{"l": list, "n": 3}})
	list[0] = "changed"
	assert.Equal(t, ticket.Fields{"l": []string{"a"}, "n": 3.0}, got.CustomerFields)
	orig := ticket.Fields{"x": []any{"a"}}
	c := orig.Clone()
	c["x"].([]any)[0] = "b"
	assert.Equal(t, []any{"a"}, orig["x"])
}
