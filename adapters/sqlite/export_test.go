package sqlite

// TraceStatements makes every connection of s call fn with each statement
// it runs (nil stops): the statement-count tests use it.
func (s *Store) TraceStatements(fn func(query string)) {
	if fn == nil {
		s.trace.Store(nil)
		return
	}
	s.trace.Store(&fn)
}

// Hot reports whether the connections keep query prepared.
func Hot(query string) bool { return hot(query) }
