package postgres

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// TestMapErr_NoConstraintNames: a driver refusal becomes a Deskkit kind
// worded like the memory store's, and no constraint, table or column name
// reaches the message.
func TestMapErr_NoConstraintNames(t *testing.T) {
	unique := &pgconn.PgError{Code: codeUniqueViolation, ConstraintName: "services_pkey", TableName: "services",
		Detail: "Key (service_id)=(acme) already exists."}
	err := mapErr(fmt.Errorf("insert: %w", unique), name("service", "acme"))
	assert.EqualError(t, err, `conflict: service "acme" exists`)
	assert.ErrorIs(t, err, helpdesk.ErrConflict)

	fk := &pgconn.PgError{Code: codeForeignKeyViolation, ConstraintName: "agents_service_id_fkey", TableName: "agents",
		Detail: `Key (service_id)=(gone) is not present in table "services".`}
	assert.EqualError(t, mapErr(fk, name("agent", "a1")), `not found: service "gone"`)

	other := &pgconn.PgError{Code: codeForeignKeyViolation, ConstraintName: "x_service_id_y_id_fkey", TableName: "x"}
	assert.EqualError(t, mapErr(other, name("x", "1")), `not found: x "1" refers to a missing object`)

	named := &pgconn.PgError{Code: codeUniqueViolation, ConstraintName: "agents_email_key",
		Detail: "Key (service_id, lower(email))=(acme, kim@example.com) already exists."}
	err = mapErr(named, name("agent", "a2"), key{"agents_email_key", func() error {
		return errs.New(helpdesk.ErrConflict, "an agent with email %q exists", keyValue(named, 1))
	}})
	assert.EqualError(t, err, `conflict: an agent with email "kim@example.com" exists`)

	assert.EqualError(t, mapErr(sql.ErrNoRows, name("ticket", "t1")), `not found: ticket "t1"`)
	assert.NoError(t, mapErr(nil, "x"))
	broken := errors.New("connection reset")
	assert.ErrorIs(t, mapErr(broken, "tickets"), broken)
	assert.Equal(t, "", keyValue(broken, 1))
}

// TestMapErr_StoreFailures_STO1: timeouts, lost connections and
// concurrency failures are typed.
func TestMapErr_StoreFailures_STO1(t *testing.T) {
	for code, kind := range map[string]error{
		codeLockNotAvailable: helpdesk.ErrTimeout, codeQueryCanceled: helpdesk.ErrTimeout,
		codeSerialization: helpdesk.ErrConflict, codeDeadlock: helpdesk.ErrConflict,
		codeAdminShutdown: helpdesk.ErrUnavailable, "08006": helpdesk.ErrUnavailable,
	} {
		pe := &pgconn.PgError{Code: code, Message: "x"}
		err := mapErr(pe, "tickets")
		assert.ErrorIs(t, err, kind, code)
		assert.ErrorIs(t, err, pe, code)
	}
	assert.ErrorIs(t, mapErr(io.ErrUnexpectedEOF, "tickets"), helpdesk.ErrUnavailable)
}
