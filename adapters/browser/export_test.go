package browser

// StreamCount reports how many streams of agentID h has open (for tests).
func StreamCount(h *Hub, agentID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams[agentID])
}

// Buffered reports how many messages wait in the buffers of agentID's
// streams (for tests).
func Buffered(h *Hub, agentID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.streams[agentID] {
		n += len(s.ch)
	}
	return n
}
