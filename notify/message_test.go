package notify_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

func TestPrepare_NTF1_Defaults(t *testing.T) {
	created := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	ms := []notify.Message{
		{ID: "m1", IdempotencyKey: "k1", CreatedAt: created, State: notify.Sent, Attempts: 2},
		{ID: "m2", IdempotencyKey: "k2", CreatedAt: created, NextAttemptAt: created.Add(time.Hour), UpdatedAt: created.Add(time.Minute)},
	}
	require.NoError(t, notify.Prepare(ms))
	assert.Equal(t, notify.Message{ID: "m1", IdempotencyKey: "k1", State: notify.Pending, Attempts: 2,
		NextAttemptAt: created, CreatedAt: created, UpdatedAt: created}, ms[0], "pending, due and updated when created")
	assert.Equal(t, notify.Message{ID: "m2", IdempotencyKey: "k2", State: notify.Pending,
		NextAttemptAt: created.Add(time.Hour), CreatedAt: created, UpdatedAt: created.Add(time.Minute)}, ms[1], "given times kept")
	require.NoError(t, notify.Prepare(nil))
}

func TestPrepare_NTF1_IDAndKeyRequired(t *testing.T) {
	for name, m := range map[string]notify.Message{
		"no id":  {IdempotencyKey: "k"},
		"no key": {ID: "m"},
	} {
		t.Run(name, func(t *testing.T) {
			ms := []notify.Message{{ID: "ok", IdempotencyKey: "ok"}, m}
			err := notify.Prepare(ms)
			assert.ErrorIs(t, err, notify.ErrInvalid)
			assert.ErrorIs(t, err, helpdesk.ErrInvalid, "the same error kind")
			assert.Empty(t, ms[0].State, "a refused call changes nothing")
		})
	}
}

func TestPrepare_MAIL5_SenderIsNoHeader(t *testing.T) {
	for _, h := range []string{"From", "reply-to", "SENDER"} {
		ms := []notify.Message{{ID: "ok", IdempotencyKey: "ok"},
			{ID: "m", IdempotencyKey: "k", Payload: notify.Payload{Headers: map[string]string{h: "x@example.com"}}}}
		err := notify.Prepare(ms)
		assert.ErrorIs(t, err, notify.ErrInvalid, h)
		assert.Contains(t, err.Error(), "Payload.From", h)
		assert.Empty(t, ms[0].State, "a refused call changes nothing")
	}
	ms := []notify.Message{{ID: "m", IdempotencyKey: "k", Payload: notify.Payload{
		From: notify.Address{Name: "ACME", Address: "help@acme.example"}, ReplyTo: notify.Address{Address: "answers@acme.example"},
		Headers: map[string]string{"References": "<ticket-1@deskkit>"}}}}
	require.NoError(t, notify.Prepare(ms))
}

func TestPayload_MAIL5_SenderJSON(t *testing.T) {
	b, err := json.Marshal(notify.Payload{Subject: "s"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"subject":"s"}`, string(b), "no sender: nothing written")
	p := notify.Payload{Subject: "s", From: notify.Address{Name: "ACME 고객센터", Address: "help@acme.example"},
		ReplyTo: notify.Address{Address: "answers@acme.example"}}
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"subject":"s","from":{"name":"ACME 고객센터","address":"help@acme.example"},"reply_to":{"address":"answers@acme.example"}}`, string(b))
	var back notify.Payload
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, p, back)
	assert.True(t, notify.Address{Name: "only a name"}.IsZero())
	assert.Empty(t, notify.Address{Name: "only a name"}.String())
}

func TestMessageRetry_NTF1(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	failed := notify.Message{ID: "m", State: notify.Failed, Attempts: 8, LastError: "550", NextAttemptAt: now.Add(-time.Hour),
		UpdatedAt: now.Add(-time.Hour)}
	m := failed
	require.NoError(t, m.Retry(now))
	assert.Equal(t, notify.Message{ID: "m", State: notify.Pending, LastError: "550", NextAttemptAt: now, UpdatedAt: now}, m,
		"pending, due now, attempts reset, the error kept")

	for _, st := range []notify.State{notify.Pending, notify.Sent} {
		m := failed
		m.State = st
		before := m
		assert.ErrorIs(t, m.Retry(now), notify.ErrInvalid, "%s", st)
		assert.Equal(t, before, m, "a refused retry changes nothing")
	}
}

func TestCheckResults_NTF1(t *testing.T) {
	var rs []notify.Result
	for _, st := range notify.States {
		rs = append(rs, notify.Result{Message: notify.Message{ID: string(st)}, Outcome: notify.Outcome{State: st}})
	}
	require.NoError(t, notify.CheckResults(rs))
	require.NoError(t, notify.CheckResults(nil))
	rs = append(rs, notify.Result{Message: notify.Message{ID: "x"}, Outcome: notify.Outcome{State: "bogus"}})
	assert.ErrorIs(t, notify.CheckResults(rs), notify.ErrInvalid)
}

func TestFilterQuery(t *testing.T) {
	q, err := notify.Filter{}.Query()
	require.NoError(t, err)
	assert.Equal(t, notify.Query{Limit: 50}, q, "default page size, from the newest")

	at := time.Date(2026, 11, 25, 9, 0, 0, 123000, time.UTC)
	cursor := notify.EncodeCursor(notify.Message{ID: "m-1", CreatedAt: at})
	q, err = notify.Filter{State: notify.Failed, Limit: 500, Cursor: cursor}.Query()
	require.NoError(t, err)
	assert.Equal(t, notify.Query{State: notify.Failed, Limit: 500, After: &notify.Position{CreatedAt: at, ID: "m-1"}}, q)

	_, err = notify.Filter{Cursor: "garbage", Limit: -1, State: "nope"}.Query()
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("cursor") && ve.Has("limit") && ve.Has("state"), "%v", err)
	_, err = notify.Filter{Limit: 501}.Query()
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("limit"))
}
