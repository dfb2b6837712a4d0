package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tipgate/tipgate/internal/config"
)

// maxDocumentSize bounds discovery documents and key sets fetched from an
// IdP; real ones are a few KiB.
const maxDocumentSize = 1 << 20

// discover fetches the issuer's OpenID configuration and key set and
// returns the usable signing keys. Keys that cannot be used are skipped
// and reported through skipped so the operator can see why a kid is
// missing.
func discover(ctx context.Context, client *http.Client, issuer string) (keys []verifyKey, skipped []string, err error) {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := fetchJSON(ctx, client, wellKnown, &doc); err != nil {
		return nil, nil, fmt.Errorf("discovery: %w", err)
	}
	// OpenID Connect Discovery §4.3: the document must be for this very
	// issuer, or an attacker controlling one path could serve keys for
	// another.
	if doc.Issuer != issuer {
		return nil, nil, errors.New("discovery document names a different issuer")
	}
	u, err := url.Parse(doc.JWKSURI)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && !(u.Scheme == "http" && config.IsLoopbackHost(u.Hostname()))) {
		return nil, nil, errors.New("discovery document has no usable https jwks_uri")
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := fetchJSON(ctx, client, doc.JWKSURI, &set); err != nil {
		return nil, nil, fmt.Errorf("key set: %w", err)
	}
	seen := map[string]bool{}
	for i, raw := range set.Keys {
		k, err := keyFromJWK(raw)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		if k.kid != "" && seen[k.kid] {
			// Two keys under one kid make the choice ambiguous; keep both
			// out rather than guess.
			skipped = append(skipped, fmt.Sprintf("key %d: duplicate kid", i))
			keys = removeKid(keys, k.kid)
			continue
		}
		seen[k.kid] = true
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, skipped, errors.New("key set has no usable signing keys")
	}
	return keys, skipped, nil
}

func removeKid(keys []verifyKey, kid string) []verifyKey {
	out := keys[:0]
	for _, k := range keys {
		if k.kid != kid {
			out = append(out, k)
		}
	}
	return out
}

func fetchJSON(ctx context.Context, client *http.Client, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	// Content-Type is not checked: IdPs serve key sets as
	// application/json, application/jwk-set+json and even text/plain.
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentSize+1))
	if err != nil {
		return err
	}
	if len(b) > maxDocumentSize {
		return fmt.Errorf("GET %s: response larger than %d bytes", u, maxDocumentSize)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}
