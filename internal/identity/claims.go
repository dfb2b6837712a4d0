package identity

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// claimString returns a string claim; absent is ("", false, nil).
func (t *parsedToken) claimString(name string) (string, bool, *Error) {
	raw, ok := t.claims[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	s, ok := jsonString1(raw)
	if !ok {
		return "", false, newError(CodeInvalidClaim, "claim \""+safeName(name)+"\" is not a string")
	}
	return s, true, nil
}

// The claims are values strictObject has checked to be valid JSON, so the
// common spellings are read without encoding/json: a string without
// escapes is its bytes between the quotes, a number is strconv's. Any
// other spelling goes through encoding/json as before.

// jsonString1 reads a JSON string value.
func jsonString1(raw json.RawMessage) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// jsonStrings reads a JSON array of strings.
func jsonStrings(raw json.RawMessage) ([]string, bool) {
	if len(raw) >= 2 && raw[0] == '[' && bytes.IndexByte(raw, '\\') < 0 {
		out := make([]string, 0, 8)
		rest := raw[1:]
		for {
			rest = bytes.TrimLeft(rest, " \t\r\n")
			if len(rest) > 0 && rest[0] == ']' && len(out) == 0 {
				return out, true
			}
			if len(rest) == 0 || rest[0] != '"' {
				break // not a plain string: the general path decides
			}
			end := bytes.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			out = append(out, string(rest[1:1+end]))
			rest = bytes.TrimLeft(rest[2+end:], " \t\r\n")
			if len(rest) > 0 && rest[0] == ',' {
				rest = rest[1:]
				continue
			}
			if len(rest) > 0 && rest[0] == ']' {
				return out, true
			}
			break
		}
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return nil, false
	}
	return many, true
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
	var err error
	if c := raw[0]; c == '-' || c >= '0' && c <= '9' {
		f, err = strconv.ParseFloat(string(raw), 64)
	} else {
		err = json.Unmarshal(raw, &f)
	}
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
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
	if one, ok := jsonString1(raw); ok {
		return []string{one}, nil
	}
	many, ok := jsonStrings(raw)
	if !ok {
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
	if one, ok := jsonString1(raw); ok {
		list = []string{one}
	} else if list, ok = jsonStrings(raw); !ok {
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
