package agent

import "math/rand/v2"

// Candidate is a group member as an assignment strategy sees it.
type Candidate struct {
	AgentID string
	Seq     int64 // join order
	// Eligible is false when the agent is inactive or their ticket
	// assignment is off (AGT-5): strategies skip them.
	Eligible bool
}

// Pick chooses the assignee among members (in join order) by strategy s.
// cursor is the round-robin cursor; next is the cursor to store. rnd drives
// the random strategy (nil: the global source). ok is false when no member is
// eligible: the ticket stays with the group, unassigned.
func Pick(s Strategy, fixedAgentID string, members []Candidate, cursor int64, rnd *rand.Rand) (agentID string, next int64, ok bool) {
	switch s {
	case StrategyFixed:
		for _, m := range members {
			if m.AgentID == fixedAgentID && m.Eligible {
				return m.AgentID, cursor, true
			}
		}
	case StrategyRandom:
		n := 0
		for _, m := range members {
			if m.Eligible {
				n++
			}
		}
		if n == 0 {
			return "", cursor, false
		}
		var k int
		if rnd != nil {
			k = rnd.IntN(n)
		} else {
			k = rand.IntN(n)
		}
		for _, m := range members {
			if m.Eligible {
				if k == 0 {
					return m.AgentID, cursor, true
				}
				k--
			}
		}
	case StrategyRoundRobin:
		var seqs []int64
		for _, m := range members {
			if m.Eligible {
				seqs = append(seqs, m.Seq)
			}
		}
		if next := NextAfter(seqs, cursor); next != 0 {
			for _, m := range members {
				if m.Seq == next {
					return m.AgentID, next, true
				}
			}
		}
	}
	return "", cursor, false
}

// NextAfter is the round-robin rule: the first of eligible (join Seqs,
// ascending) after cursor, else the first of eligible (wrap around); 0 when
// eligible is empty. Members who joined later come after those who joined
// earlier, and a cursor left by a member who since left still points to the
// right place in the join order.
func NextAfter(eligible []int64, cursor int64) int64 {
	for _, s := range eligible {
		if s > cursor {
			return s
		}
	}
	if len(eligible) > 0 {
		return eligible[0]
	}
	return 0
}
