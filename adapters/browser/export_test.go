package browser

// StreamCount reports how many streams agentID of serviceID has open in h
// (for tests).
func StreamCount(h *Hub, serviceID, agentID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams[key{serviceID, agentID}])
}

// Buffered reports how many messages wait in the buffers of the streams of
// agentID of serviceID (for tests).
func Buffered(h *Hub, serviceID, agentID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.streams[key{serviceID, agentID}] {
		n += len(s.ch)
	}
	return n
}
