package tokenapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/identity"
)

// refusingVerifier refuses everything, as the real one does for fuzz
// input, without network access.
type refusingVerifier struct{}

func (refusingVerifier) Verify(context.Context, string) (identity.Principal, error) {
	return identity.Principal{}, &identity.Error{Code: identity.CodeTokenMalformed, Msg: "refused"}
}

// fixedSessions is a SessionService that never touches disk.
type fixedSessions struct{}

func (fixedSessions) Issue(context.Context, identity.Principal) (identity.Session, error) {
	return identity.Session{}, errors.New("not reached")
}
func (fixedSessions) Verify(context.Context, string) (identity.Principal, error) {
	return identity.Principal{}, &identity.Error{Code: identity.CodeTokenMalformed, Msg: "refused"}
}
func (fixedSessions) Revoke(context.Context, string, time.Time) error { return nil }
func (fixedSessions) JWKS() jose.JSONWebKeySet                        { return jose.JSONWebKeySet{} }
func (fixedSessions) Issuer() string                                  { return "https://tipgate.test" }
func (fixedSessions) Audience() string                                { return "tipgate-data-api" }

// FuzzTokenForm fuzzes form parsing and the whole token pipeline: no
// panics, exactly one of result and error from parseForm, and every
// response either a token or an RFC 6749 error.
func FuzzTokenForm(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type="+GrantTokenExchange+"&subject_token=a.b.c&subject_token_type="+TokenTypeIDToken)
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "grant_type="+GrantJWTBearer+"&assertion=x")
	f.Add("application/x-www-form-urlencoded", "grant_type=a&grant_type=b")
	f.Add("application/x-www-form-urlencoded", "%zz=1&;=2")
	f.Add("text/plain", "grant_type=x")
	f.Add("application/x-www-form-urlencoded; charset=latin1", "")
	api, err := New(Options{Verifier: refusingVerifier{}, Sessions: fixedSessions{}})
	if err != nil {
		f.Fatal(err)
	}
	h := api.TokenHandler()
	f.Fuzz(func(t *testing.T, contentType, body string) {
		v, oerr := parseForm(contentType, []byte(body))
		if (v == nil) == (oerr == nil) {
			t.Fatalf("parseForm returned values=%v err=%v", v != nil, oerr)
		}
		if oerr != nil && (oerr.Code == "" || oerr.Status < 400) {
			t.Fatalf("bad error %+v", oerr)
		}
		req := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			t.Fatalf("token issued by a refusing verifier: %s", rec.Body)
		}
		if !strings.Contains(rec.Body.String(), `"error":"`) {
			t.Fatalf("error response without error code: %d %q", rec.Code, rec.Body)
		}
	})
}
