package identity

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"
)

// claimString returns a string claim; absent is ("", false, nil).
func (t *parsedToken) claimString(name string) (string, bool, *Error) {
	raw, ok := t.claims[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, newError(CodeInvalidClaim, "claim \""+safeName(name)+"\" is not a string")
	}
	return s, true, nil
}

// requireString returns a non-empty string claim without control
// characters, which would let a user name forge log lines or SQL names.
func (t *parsedToken) requireString(name string) (string, *Error) {
	s, ok, err := t.claimString(name)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", newError(CodeMissingClaim, "token has no \""+safeName(name)+"\" claim")
	}
	if hasControl(s) {
		return "", newError(CodeInvalidClaim, "claim \""+safeName(name)+"\" contains a control character")
	}
	return s, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// claimTime reads a NumericDate. IdPs differ (integers, floats such as
// 1.7e9 from some libraries); both are accepted, strings are not.
func (t *parsedToken) claimTime(name string) (time.Time, bool, *Error) {
	raw, ok := t.claims[name]
	if !ok || string(raw) == "null" {
		return time.Time{}, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false, newError(CodeInvalidClaim, "claim \""+name+"\" is not a NumericDate")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// audiences reads "aud", a string or an array of strings (RFC 7519 §4.1.3).
func (t *parsedToken) audiences() ([]string, *Error) {
	raw, ok := t.claims["aud"]
	if !ok || string(raw) == "null" {
		return nil, newError(CodeMissingClaim, "token has no \"aud\" claim")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, newError(CodeInvalidClaim, "claim \"aud\" is not a string or array of strings")
	}
	return many, nil
}

// checkTimes applies exp (with expSkew), nbf and iat (with futureSkew).
// exp is required: a token that never expires is never accepted.
func (t *parsedToken) checkTimes(now time.Time, expSkew, futureSkew time.Duration) (exp, iat time.Time, err *Error) {
	exp, ok, err := t.claimTime("exp")
	if err != nil {
		return exp, iat, err
	}
	if !ok {
		return exp, iat, newError(CodeMissingClaim, "token has no \"exp\" claim")
	}
	if !now.Before(exp.Add(expSkew)) {
		return exp, iat, newError(CodeTokenExpired, "token has expired")
	}
	nbf, ok, err := t.claimTime("nbf")
	if err != nil {
		return exp, iat, err
	}
	if ok && nbf.After(now.Add(futureSkew)) {
		return exp, iat, newError(CodeTokenNotYetValid, "token is not valid yet (nbf in the future)")
	}
	iat, ok, err = t.claimTime("iat")
	if err != nil {
		return exp, iat, err
	}
	if ok && iat.After(now.Add(futureSkew)) {
		return exp, iat, newError(CodeTokenNotYetValid, "token was issued in the future (iat)")
	}
	return exp, iat, nil
}

// groupClaim finds the groups claim: the exact member name first (Auth0's
// URL-style names contain dots), then a dotted path into nested objects
// (Keycloak's "realm_access.roles").
func (t *parsedToken) groupClaim(name string) (json.RawMessage, bool) {
	if raw, ok := t.claims[name]; ok {
		return raw, true
	}
	path := strings.Split(name, ".")
	if len(path) < 2 {
		return nil, false
	}
	cur := t.claims
	for i, p := range path {
		raw, ok := cur[p]
		if !ok {
			return nil, false
		}
		if i == len(path)-1 {
			return raw, true
		}
		var next map[string]json.RawMessage
		if json.Unmarshal(raw, &next) != nil {
			return nil, false
		}
		cur = next
	}
	return nil, false
}

// groups reads group names: an array of strings, or a single string (IdPs
// that flatten one-element arrays). The prefix is stripped, empty names
// dropped, the result deduplicated and sorted.
func (t *parsedToken) groups(name, prefix string) ([]string, *Error) {
	raw, ok := t.groupClaim(name)
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, newError(CodeInvalidClaim, "groups claim is not an array of strings")
	}
	out := make([]string, 0, len(list))
	for _, g := range list {
		if hasControl(g) {
			return nil, newError(CodeInvalidClaim, "a group name contains a control character")
		}
		g = strings.TrimPrefix(g, prefix)
		if strings.TrimSpace(g) == "" {
			continue
		}
		out = append(out, g)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// emailVerified is false only when the IdP says so explicitly; Cognito
// and some SAML bridges send the flag as the string "false".
func (t *parsedToken) emailUnverified() bool {
	raw, ok := t.claims["email_verified"]
	if !ok {
		return false
	}
	s := strings.Trim(string(raw), `" `)
	return strings.EqualFold(s, "false")
}
