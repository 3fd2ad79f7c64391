package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// Most workflows open their transaction by reading the service's record
// (getService), and the domain cannot build a ticket before it has the
// settings. The store therefore keeps the last record it read of each
// service (serviceCache) and answers the read of the next transaction
// from it, without a round trip; what it answered is then checked by the
// server in the same batch as the transaction's first statement
// (checkService, sent right after BEGIN), the place where the read itself
// would have run. When the record changed in between (another process's
// settings, trigger or menu write), the check fails the transaction, which
// rolls back, and Tx runs the transaction's function once more with the
// record read from the server. So a transaction never commits on settings
// other than those it would have read; a stale entry costs one rollback.
//
// The check compares the services row's xmin (the id of the transaction
// that wrote that row version: a new one for every write, also one rolled
// back) and Version (which every Update raises, so that a transaction
// that writes the row twice is told apart from its own middle state), the
// trigger set's version (a new random one for every write) and the ticket
// menu's access itself, so that even a record read after the
// transaction's own uncommitted write is never taken for the committed
// one.

// checkService is the check, a hot statement: it returns no row when the
// record is as cached, and fails (staleMark) when it is not.
const checkService = `SELECT CAST('` + staleMark + ` ' || count(*) AS bigint)
FROM services AS s LEFT JOIN menu_access AS m ON m.service_id = s.service_id AND m.menu = '` + string(agent.MenuTickets) + `'
WHERE s.service_id = $1 AND s.xmin::text = $2 AND s.version = $6
	AND coalesce((SELECT t.version FROM trigger_sets AS t WHERE t.service_id = $1), '') = $3
	AND coalesce(m.partial, false) = $4 AND m.restricted IS NOT DISTINCT FROM $5::text[]
HAVING count(*) = 0`

// staleMark is what a failed check's error names: the text that failed to
// cast.
const staleMark = "deskkit: stale service record"

// DefaultServiceCache is how many services' records a Store keeps by
// default (Options.ServiceCache).
const DefaultServiceCache = 1024

// serviceCache is a Store's cache of service records; safe for concurrent
// use. A full cache drops an entry at random for a new one.
type serviceCache struct {
	max int // ≤ 0: keep nothing
	mu  sync.Mutex
	m   map[string]*cachedService
}

// cachedService is what getService read of one service; never changed
// once cached (readers clone cfg).
type cachedService struct {
	cfg      helpdesk.ServiceConfig
	xmin     string
	triggers string
	partial  bool
	// restricted is the menu row's array as read: nil for NULL (or no
	// row), empty for '{}'.
	restricted []string
}

func newServiceCache(max int) *serviceCache {
	return &serviceCache{max: max, m: make(map[string]*cachedService)}
}

func (c *serviceCache) get(id string) *cachedService {
	if c == nil || c.max <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

func (c *serviceCache) put(id string, s *cachedService) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = s
}

// forget drops id's entry: the record, its menu or its trigger set is
// being written.
func (c *serviceCache) forget(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// serviceCheck is a transaction's pending or sent check of a cached
// record. stale is set when the server answered that the record changed.
type serviceCheck struct {
	args  []any
	stale bool
}

func (s *cachedService) check(sid string) *serviceCheck {
	return &serviceCheck{args: []any{sid, s.xmin, s.triggers, s.partial, s.restricted, s.cfg.Version}}
}

// errStale matches the failure of a check: the transaction rolled back,
// and Tx runs it again with the record read from the server.
var errStale = errors.New("postgres: the service's record changed since this store cached it; the transaction was rolled back")

// staleErr returns errStale (wrapping err) when err is the check's
// failure, marking ch stale; else err.
func staleErr(ch *serviceCheck, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "22P02" && strings.Contains(pe.Message, staleMark) {
		ch.stale = true
		return errors.Join(errStale, err)
	}
	return err
}

// useCached makes the transaction's pending BEGIN carry the check of
// record s, and reports whether it did: only while nothing of the
// transaction has been sent, so that the check runs where the read would
// have.
func (r repos) useCached(s *cachedService) bool {
	if r.ahead == nil || r.ahead.noCache || r.ahead.check != nil {
		return false
	}
	ok := false
	_ = r.conn.Raw(func(dc any) error {
		c, is := dc.(*conn)
		if is && c.inTx && c.begin && !c.std && c.failed == nil && c.check == nil {
			ch := s.check(r.sid)
			c.check, r.ahead.check, ok = ch, ch, true
		}
		return nil
	})
	return ok
}

// queueCheck queues the pending check in b, right after BEGIN, and
// returns it (nil when none is pending).
func (c *conn) queueCheck(ctx context.Context, b *pgx.Batch) (*serviceCheck, error) {
	ch := c.check
	if ch == nil {
		return nil, nil
	}
	if _, err := c.Conn.Conn().Prepare(ctx, checkService, checkService); err != nil {
		return nil, err
	}
	c.check = nil
	queueHot(b, checkService, ch.args, true)
	return ch, nil
}

// readCheck reads the answer to a check queued by queueCheck (after the
// plan-mode switch's, see genericPlan).
func readCheck(ch *serviceCheck, br pgx.BatchResults) error {
	if ch == nil {
		return nil
	}
	if _, err := br.Exec(); err != nil {
		return err
	}
	_, err := br.Exec()
	if err == nil {
		_, err = br.Exec() // the switch back
	}
	return staleErr(ch, err)
}

// sendCheck sends the check pending on the transaction's connection sc,
// if any (see conn.sendCheck).
func sendCheck(ctx context.Context, sc *sql.Conn) error {
	return sc.Raw(func(dc any) error {
		if c, ok := dc.(*conn); ok {
			return c.sendCheck(ctx)
		}
		return nil
	})
}

// sendCheck sends a check still pending when the transaction's function
// has returned (it sent no statement, or failed before it did): on its
// own, outside the transaction, whose BEGIN was never sent.
func (c *conn) sendCheck(ctx context.Context) error {
	ch := c.check
	if ch == nil {
		return nil
	}
	c.check = nil
	pc := c.Conn.Conn()
	if _, err := pc.Prepare(ctx, checkService, checkService); err != nil {
		return err
	}
	_, err := pc.Exec(ctx, checkService, ch.args...)
	return staleErr(ch, err)
}
