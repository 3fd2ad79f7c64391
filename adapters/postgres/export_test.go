package postgres

import "context"

// SetBeforeCommit makes every Tx of s call f right before it sends COMMIT.
func SetBeforeCommit(s *Store, f func(context.Context)) { s.beforeCommit = f }
