package tokenapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// DefaultMaxBodyBytes bounds a token or revocation request; the largest
// legitimate one carries one 16 KiB token.
const DefaultMaxBodyBytes = 64 << 10

// readForm reads an application/x-www-form-urlencoded POST body. Query
// parameters are refused: tokens in URLs end up in access logs.
func readForm(r *http.Request, limit int64) (url.Values, *oauthError) {
	if r.URL.RawQuery != "" {
		return nil, errInvalidRequest("parameters must be sent in the request body, not the URL")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, errInvalidRequest("request body could not be read")
	}
	if int64(len(body)) > limit {
		e := errInvalidRequest("request body too large")
		e.Status = http.StatusRequestEntityTooLarge
		return nil, e
	}
	return parseForm(r.Header.Get("Content-Type"), body)
}

// parseForm is the pure part of readForm, separated for fuzzing. Exactly
// one of its results is non-nil.
func parseForm(contentType string, body []byte) (url.Values, *oauthError) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, errInvalidRequest("content type must be application/x-www-form-urlencoded")
	}
	if cs, ok := params["charset"]; ok && cs != "utf-8" && cs != "UTF-8" {
		return nil, errInvalidRequest("form charset must be UTF-8")
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidRequest("request body is not a valid form")
	}
	for k, vals := range v {
		// RFC 6749 §3.2: parameters must not be repeated. Two
		// subject_tokens would leave it to chance which one is used.
		if len(vals) > 1 {
			return nil, errInvalidRequest("parameter " + safeParam(k) + " is repeated")
		}
	}
	if v == nil {
		return nil, errInvalidRequest("request body is not a valid form")
	}
	return v, nil
}

// safeParam names a parameter in an error only if it is one we know;
// anything else could be a token pasted as a name.
func safeParam(k string) string {
	switch k {
	case "grant_type", "subject_token", "subject_token_type", "requested_token_type", "audience",
		"resource", "scope", "actor_token", "actor_token_type", "assertion", "client_id",
		"token", "token_type_hint":
		return k
	}
	return "(unnamed)"
}

var errNoValue = errors.New("missing")

// one returns a single non-empty parameter.
func one(v url.Values, key string) (string, error) {
	s := v.Get(key)
	if s == "" {
		return "", errNoValue
	}
	return s, nil
}
