package memory_test

import (
	"testing"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/storetest"
)

func BenchmarkCreateTicket(b *testing.B) { storetest.BenchCreateTicket(b, memory.New()) }

func BenchmarkListTickets(b *testing.B) { storetest.BenchListTickets(b, memory.New()) }

func BenchmarkRoundRobin(b *testing.B) { storetest.BenchRoundRobin(b, memory.New()) }
