package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/helpdesk"
)

// Open a file, migrate explicitly, and hand the store to a Desk.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "deskkit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, filepath.Join(dir, "desk.db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	desk, err := helpdesk.New(helpdesk.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	defer desk.Close()
	ids, err := store.Services(ctx, "", 10)
	fmt.Println(len(ids), err)
	// Output: 0 <nil>
}
