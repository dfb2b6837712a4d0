package desired

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
)

// State is a catalog's policy state in a canonical form: every list sorted
// and the bookkeeping that decides nothing (who modified a policy and when,
// who attached it) left out. Two catalogs with equal States decide alike
// for everyone (Decide depends only on content, not on order).
type State struct {
	Roles           []policy.Role           `json:"roles"`
	Memberships     []policy.Membership     `json:"memberships"`
	TableGrants     []policy.TableGrant     `json:"table_grants"`
	SystemGrants    []policy.SystemGrant    `json:"system_grants"`
	RLSPolicies     []policy.RLSPolicy      `json:"rls_policies"`
	RLSAttachments  []policy.RLSAttachment  `json:"rls_attachments"`
	LookupGrants    []policy.LookupGrant    `json:"lookup_grants"`
	MaskingPolicies []policy.MaskingPolicy  `json:"masking_policies"`
	MaskAttachments []policy.MaskAttachment `json:"mask_attachments"`
	Switches        []Switch                `json:"switches"`
}

// Switch is a table's row level security switches.
type Switch struct {
	Table                string `json:"table"`
	RLS                  bool   `json:"rls"`
	Conjunction          string `json:"conjunction"`
	DatashareRLS         bool   `json:"datashare_rls"`
	DatashareConjunction string `json:"datashare_conjunction"`
}

func conj(s string) string {
	if s == "" {
		return "and"
	}
	return s
}

func grantee(g policy.Grantee) string { return g.Kind + "\x00" + g.Name }

// StateOf returns c's policy state.
func StateOf(c *policy.Catalog) State {
	var s State
	for _, n := range slices.Sorted(maps.Keys(c.Roles)) {
		s.Roles = append(s.Roles, *c.Roles[n])
	}
	s.Memberships = sortedBy(c.Memberships, func(m policy.Membership) string {
		return fmt.Sprint(m.Role, "\x00", grantee(m.Grantee), "\x00", m.Admin)
	})
	for _, g := range c.TableGrants {
		if g.Columns != nil {
			g.Columns = slices.Sorted(slices.Values(g.Columns))
		}
		s.TableGrants = append(s.TableGrants, g)
	}
	s.TableGrants = sortedBy(s.TableGrants, func(g policy.TableGrant) string {
		return fmt.Sprint(g.Table, "\x00", g.Privilege, "\x00", grantee(g.Grantee), "\x00", g.Columns)
	})
	s.SystemGrants = sortedBy(c.SystemGrants, func(g policy.SystemGrant) string { return g.Privilege + "\x00" + grantee(g.Grantee) })
	for _, n := range slices.Sorted(maps.Keys(c.RLSPolicies)) {
		p := *c.RLSPolicies[n]
		p.ModifiedBy, p.ModifiedAt = "", 0
		s.RLSPolicies = append(s.RLSPolicies, p)
	}
	for _, a := range c.RLSAttachments {
		a.Grantor = ""
		s.RLSAttachments = append(s.RLSAttachments, a)
	}
	s.RLSAttachments = sortedBy(s.RLSAttachments, func(a policy.RLSAttachment) string {
		return a.Policy + "\x00" + a.Table + "\x00" + grantee(a.Grantee)
	})
	s.LookupGrants = sortedBy(c.LookupGrants, func(g policy.LookupGrant) string { return g.Policy + "\x00" + g.Table })
	for _, n := range slices.Sorted(maps.Keys(c.MaskingPolicies)) {
		p := *c.MaskingPolicies[n]
		p.ModifiedBy, p.ModifiedAt = "", 0
		s.MaskingPolicies = append(s.MaskingPolicies, p)
	}
	for _, a := range c.MaskAttachments {
		a.Grantor = ""
		s.MaskAttachments = append(s.MaskAttachments, a)
	}
	s.MaskAttachments = sortedBy(s.MaskAttachments, func(a policy.MaskAttachment) string {
		return fmt.Sprint(a.Table, "\x00", a.Outputs, "\x00", grantee(a.Grantee), "\x00", a.Policy, "\x00", a.Priority, "\x00", a.Inputs)
	})
	for _, n := range c.TableNames() {
		t := c.Tables[n]
		s.Switches = append(s.Switches, Switch{Table: t.Name, RLS: t.RLS, Conjunction: conj(t.Conjunction),
			DatashareRLS: t.DatashareRLS, DatashareConjunction: conj(t.DatashareConj)})
	}
	s.normalize()
	return s
}

// normalize makes empty lists one value: a catalog read back from storage
// and one built in memory spell "none" differently (null and []).
func (s *State) normalize() {
	s.Roles = nonNil(s.Roles)
	s.Memberships = nonNil(s.Memberships)
	s.TableGrants = nonNil(s.TableGrants)
	s.SystemGrants = nonNil(s.SystemGrants)
	s.RLSPolicies = nonNil(s.RLSPolicies)
	s.RLSAttachments = nonNil(s.RLSAttachments)
	s.LookupGrants = nonNil(s.LookupGrants)
	s.MaskingPolicies = nonNil(s.MaskingPolicies)
	s.MaskAttachments = nonNil(s.MaskAttachments)
	s.Switches = nonNil(s.Switches)
	for i := range s.RLSPolicies {
		s.RLSPolicies[i].With = nilIfEmpty(s.RLSPolicies[i].With)
		s.RLSPolicies[i].Lookups = nilIfEmpty(s.RLSPolicies[i].Lookups)
	}
	for i := range s.MaskingPolicies {
		s.MaskingPolicies[i].Inputs = nilIfEmpty(s.MaskingPolicies[i].Inputs)
	}
	for i := range s.MaskAttachments {
		s.MaskAttachments[i].Inputs = nilIfEmpty(s.MaskAttachments[i].Inputs)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func sortedBy[T any](in []T, key func(T) string) []T {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// Fingerprint is a digest of c's policy state: a plan records the one it
// reaches, and applying the plan must reach it again.
func Fingerprint(c *policy.Catalog) string {
	b, err := json.Marshal(StateOf(c))
	if err != nil {
		panic(fmt.Sprintf("desired: policy state does not encode: %v", err)) // plain data only
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Same reports, as an error naming the first difference, whether a and b
// hold the same users, tables and policy state.
func Same(a, b *policy.Catalog) error {
	type whole struct {
		Users  []policy.User  `json:"users"`
		Tables []policy.Table `json:"tables"`
		State
	}
	of := func(c *policy.Catalog) map[string]json.RawMessage {
		w := whole{State: StateOf(c)}
		for _, n := range slices.Sorted(maps.Keys(c.Users)) {
			w.Users = append(w.Users, *c.Users[n])
		}
		for _, n := range c.TableNames() {
			t := *c.Tables[n]
			// The switches are compared in State, normalised.
			t.RLS, t.Conjunction, t.DatashareRLS, t.DatashareConj = false, "", false, ""
			w.Tables = append(w.Tables, t)
		}
		b, _ := json.Marshal(w)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		return m
	}
	ma, mb := of(a), of(b)
	for _, k := range slices.Sorted(maps.Keys(ma)) {
		if string(ma[k]) != string(mb[k]) {
			return fmt.Errorf("%s differ: %s, want %s", strings.ReplaceAll(k, "_", " "), clip(ma[k]), clip(mb[k]))
		}
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}
