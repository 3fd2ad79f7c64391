// Command demo runs a whole helpdesk on loopback ports: the HTTP API, an
// in-process IMAP server holding the support mailbox, an in-process SMTP
// server that takes mail to the support address into that mailbox and
// keeps every other mail (the helpdesk's automatic mails) for reading, and
// fake NHN Cloud SMS and Dooray! servers that keep what they receive. It
// seeds a Korean/English service (categories, fields, templates, forbidden
// words, agents, groups, triggers) and prints its URLs and a few curl
// lines. Ctrl-C stops everything.
//
//	go run ./examples/demo                   # the embedded memory store
//	go run ./examples/demo -db desk.db       # a new SQLite file
//	go run ./examples/demo -pg postgres://…  # PostgreSQL (migrated)
//
// The HTTP API trusts the X-Service and X-Agent headers: that is for the
// demo only; a host puts the API behind its own login.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Postgres, "pg", "", "a PostgreSQL DSN to keep the helpdesk in (migrated at start); empty: in memory")
	flag.StringVar(&cfg.SQLite, "db", "", "a new SQLite file to keep the helpdesk in; empty: in memory")
	flag.StringVar(&cfg.Host, "host", "127.0.0.1", "the loopback address the servers listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}
