// Package page encodes the cursors of newest-first lists ordered by a time,
// then an id (login log, outbox): opaque to callers, exact to microseconds,
// as the stores keep time.
package page

import (
	"cmp"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Encode returns the cursor of the page after the row (at, id).
func Encode(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "|" + id))
}

// Decode parses a cursor made by Encode.
func Decode(s string) (at time.Time, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", err
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", errors.New("no separator")
	}
	us, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, "", err
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// Older reports whether the row (at, id) comes after the row (cAt, cID) in
// the newest-first order: an older time, or the same time and a smaller id.
func Older(at time.Time, id string, cAt time.Time, cID string) bool {
	return at.Before(cAt) || (at.Equal(cAt) && id < cID)
}

// Take sorts rows newest first (by time, then id, both descending), keeps
// the first limit, and returns the cursor of the next page ("" on the last
// page). Stores that page in memory use it.
func Take[T any](rows []T, limit int, key func(T) (time.Time, string)) ([]T, string) {
	slices.SortFunc(rows, func(a, b T) int {
		at, aid := key(a)
		bt, bid := key(b)
		return cmp.Or(bt.Compare(at), cmp.Compare(bid, aid))
	})
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, Encode(key(rows[limit-1]))
}
