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
		// The first eligible member who joined after the last pick, else
		// wrap around to the first eligible member.
		var first *Candidate
		for i := range members {
			m := &members[i]
			if !m.Eligible {
				continue
			}
			if first == nil {
				first = m
			}
			if m.Seq > cursor {
				return m.AgentID, m.Seq, true
			}
		}
		if first != nil {
			return first.AgentID, first.Seq, true
		}
	}
	return "", cursor, false
}
