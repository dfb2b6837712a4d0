package dataapi

// Retained counts the statements and client tokens the service keeps in
// memory, for tests of expiry.
func (s *Service) Retained() (statements, clientTokens int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stmts), len(s.clients)
}
