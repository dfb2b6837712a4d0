package trinoserver

import (
	"encoding/json"
	"sync"
)

// RulesMux merges the rules of several engines sharing the test binary's
// one cluster (each in its own schema) into the one rules file Trino reads.
// In each section, rules that name a table come first, in the order the
// engines registered, then the rules that match any table: Trino applies
// the first rule that matches, and one engine's catch-all must not hide
// another's table rules.
type RulesMux struct {
	c     *Cluster
	mu    sync.Mutex
	order []string
	parts map[string]map[string][]json.RawMessage
}

// Rules returns the cluster's rules multiplexer.
func (c *Cluster) Rules() *RulesMux {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mux == nil {
		c.mux = &RulesMux{c: c, parts: map[string]map[string][]json.RawMessage{}}
	}
	return c.mux
}

// Writer returns the function an engine of schema calls to write its rules.
func (m *RulesMux) Writer(schema string) func([]byte) error {
	return func(body []byte) error {
		var part map[string][]json.RawMessage
		if err := json.Unmarshal(body, &part); err != nil {
			return err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.parts[schema]; !ok {
			m.order = append(m.order, schema)
		}
		m.parts[schema] = part
		merged := map[string][]json.RawMessage{}
		seen := map[string]bool{}
		for _, pass := range []bool{true, false} {
			for _, s := range m.order {
				for section, rules := range m.parts[s] {
					for _, r := range rules {
						var fields map[string]any
						_ = json.Unmarshal(r, &fields)
						_, specific := fields["table"]
						if !specific {
							_, specific = fields["catalog"]
						}
						if specific != pass || seen[section+string(r)] {
							continue
						}
						seen[section+string(r)] = true
						merged[section] = append(merged[section], r)
					}
				}
			}
		}
		out, err := json.MarshalIndent(merged, "", " ")
		if err != nil {
			return err
		}
		return m.c.WriteRules(out)
	}
}
