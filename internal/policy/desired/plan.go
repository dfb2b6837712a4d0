package desired

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// PlanFormat names the plan file format; a file of another format is refused.
const PlanFormat = "tipgate-policy-plan/1"

// Plan is the change from a live catalog to a desired state: the exact
// statements, the policy version of the catalog they were planned against
// (applying refuses any other) and the fingerprint of the state they reach
// (applying must reach it).
type Plan struct {
	Format        string   `json:"format"`
	PolicyVersion int64    `json:"policy_version"`
	Fingerprint   string   `json:"fingerprint"`
	Steps         []Step   `json:"steps"`
	Summary       []Change `json:"summary"`
}

// MakePlan plans the change from live to the state srcs describe.
func MakePlan(ctx context.Context, live *policy.Catalog, srcs []Source, an policy.Analyzer) (*Plan, error) {
	want, err := Load(ctx, live, srcs, an)
	if err != nil {
		return nil, err
	}
	return PlanTo(ctx, live, want, an)
}

// PlanTo plans the change from live to want.
func PlanTo(ctx context.Context, live, want *policy.Catalog, an policy.Analyzer) (*Plan, error) {
	steps, err := Diff(ctx, live, want, an)
	if err != nil {
		return nil, err
	}
	p := &Plan{Format: PlanFormat, PolicyVersion: live.PolicyVersion, Fingerprint: Fingerprint(want), Steps: steps}
	if len(steps) > 0 {
		p.Summary = Summarize(live, want)
	}
	return p, nil
}

// Statements returns the plan's SQL in order.
func (p *Plan) Statements() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.SQL
	}
	return out
}

// Check is what applying the plan verifies about the catalog it produced:
// the state the plan was made to reach, nothing else.
func (p *Plan) Check(next *policy.Catalog) error {
	if got := Fingerprint(next); got != p.Fingerprint {
		return sqlerr.New(sqlerr.InvalidParameter,
			"the plan would not reach the state it was made for (the catalog or the plan changed since it was made): plan again")
	}
	return nil
}

// Encode writes the plan as indented JSON.
func (p *Plan) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// DecodePlan reads a plan file, refusing unknown fields and other formats.
func DecodePlan(b []byte) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, sqlerr.Wrap(sqlerr.InvalidParameter, err, "the plan file is not a tipgate policy plan: %v", err)
	}
	switch {
	case p.Format != PlanFormat:
		return nil, sqlerr.New(sqlerr.InvalidParameter, "the plan file's format is %q, want %q", p.Format, PlanFormat)
	case p.PolicyVersion <= 0:
		return nil, sqlerr.New(sqlerr.InvalidParameter, "the plan file names no policy version")
	case !strings.HasPrefix(p.Fingerprint, "sha256:"):
		return nil, sqlerr.New(sqlerr.InvalidParameter, "the plan file has no fingerprint of its desired state")
	}
	return &p, nil
}

var phaseTitles = map[string]string{
	PhaseRevoke:  "revoke and detach",
	PhaseDrop:    "drop",
	PhasePrepare: "row level security off on tables that become lookup tables",
	PhaseCreate:  "create and alter",
	PhaseGrant:   "grant",
	PhaseAttach:  "attach",
	PhaseSwitch:  "row level security switches",
}

// Text renders the plan for people: the statements by phase, then what
// each role sees differently.
func (p *Plan) Text() string {
	var b strings.Builder
	if len(p.Steps) == 0 {
		fmt.Fprintf(&b, "No changes: the catalog (policy version %d) already matches the policy files.\n", p.PolicyVersion)
		return b.String()
	}
	n := "statements"
	if len(p.Steps) == 1 {
		n = "statement"
	}
	fmt.Fprintf(&b, "Plan against policy version %d: %d %s, applied in one transaction.\n", p.PolicyVersion, len(p.Steps), n)
	phase := ""
	for _, s := range p.Steps {
		if s.Phase != phase {
			phase = s.Phase
			fmt.Fprintf(&b, "\n-- %s\n", phaseTitles[phase])
		}
		fmt.Fprintf(&b, "%s;\n", s.SQL)
	}
	b.WriteString("\nWhat changes for whom:\n")
	if len(p.Summary) == 0 {
		b.WriteString("  no one's access changes\n")
	}
	for _, c := range p.Summary {
		fmt.Fprintf(&b, "  %s:\n", c.Grantee)
		for _, l := range c.Changes {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	return b.String()
}
