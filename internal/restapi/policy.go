package restapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// Policy as code over REST: POST /v1/policy/plan (policy files → plan),
// POST /v1/policy/apply (plan → applied), GET /v1/policy/export. The
// service decides who may (security admins) and audits.

func (h *Handler) routePolicy() {
	h.route("POST /v1/policy/plan", h.policyPlan)
	h.route("POST /v1/policy/apply", h.policyApply)
	h.route("GET /v1/policy/export", h.policyExport)
	h.route("POST /v1/policy/test", h.policyTest)
}

func readJSON(r *http.Request, v any, what string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "validation", Message: fmt.Sprintf("the body is larger than %d bytes", maxBody)}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("the body is not a valid %s: %v", what, jsonProblem(err))
	}
	return nil
}

func (h *Handler) policyPlan(r *http.Request, p identity.Principal) (any, error) {
	var in dataapi.PolicyPlanInput
	if err := readJSON(r, &in, "policy plan request"); err != nil {
		return nil, err
	}
	return h.svc.PolicyPlan(r.Context(), p, in)
}

func (h *Handler) policyApply(r *http.Request, p identity.Principal) (any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "validation", Message: fmt.Sprintf("the body is larger than %d bytes", maxBody)}
	}
	plan, err := desired.DecodePlan(body)
	if err != nil {
		return nil, badRequest("%s", strings.TrimPrefix(err.Error(), "ERROR: "))
	}
	return h.svc.PolicyApply(r.Context(), p, plan)
}

func (h *Handler) policyExport(r *http.Request, p identity.Principal) (any, error) {
	return h.svc.PolicyExport(r.Context(), p)
}

func (h *Handler) policyTest(r *http.Request, p identity.Principal) (any, error) {
	var in dataapi.PolicyTestInput
	if err := readJSON(r, &in, "policy test request"); err != nil {
		return nil, err
	}
	return h.svc.PolicyTest(r.Context(), p, in)
}
