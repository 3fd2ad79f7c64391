package postgres_test

import (
	"context"
	"log"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
)

// Open, migrate explicitly, and hand the store to a Desk.
func ExampleOpen() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
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
}
