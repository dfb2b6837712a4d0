package idp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// PushSCIM provisions users and their groups to a SCIM 2.0 service provider
// at base (…/scim/v2) with a bearer token, the way an identity provider's
// provisioning does: look a user up by userName, create it or replace it
// (active), then each group by displayName with exactly these members. It
// is idempotent, so a demo restarted on the same data directory converges
// to the users it has now. The token is never logged or put in an error.
func PushSCIM(ctx context.Context, client *http.Client, base, token string, users []User) error {
	p := pusher{client: client, base: strings.TrimRight(base, "/"), token: token}
	members := map[string][]string{}
	for _, u := range users {
		doc := map[string]any{
			"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName": u.Email, "active": true, "displayName": strings.TrimSpace(u.GivenName + " " + u.FamilyName),
			"name":   map[string]any{"givenName": u.GivenName, "familyName": u.FamilyName},
			"emails": []map[string]any{{"value": u.Email, "type": "work", "primary": true}},
		}
		id, err := p.upsert(ctx, "Users", "userName", u.Email, doc)
		if err != nil {
			return err
		}
		for _, g := range u.Groups {
			members[g] = append(members[g], id)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(members)) {
		var ms []map[string]any
		for _, id := range members[g] {
			ms = append(ms, map[string]any{"value": id})
		}
		doc := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": g, "members": ms}
		if _, err := p.upsert(ctx, "Groups", "displayName", g, doc); err != nil {
			return err
		}
	}
	return nil
}

type pusher struct {
	client      *http.Client
	base, token string
}

// upsert finds the resource whose attr equals value and replaces it, or
// creates it; it returns the resource's id.
func (p pusher) upsert(ctx context.Context, endpoint, attr, value string, doc map[string]any) (string, error) {
	quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value)
	var list struct {
		Resources []struct {
			ID string `json:"id"`
		} `json:"Resources"`
	}
	filter := url.QueryEscape(fmt.Sprintf(`%s eq "%s"`, attr, quoted))
	if err := p.do(ctx, http.MethodGet, "/"+endpoint+"?filter="+filter, nil, http.StatusOK, &list); err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if len(list.Resources) > 0 {
		id := list.Resources[0].ID
		return id, p.do(ctx, http.MethodPut, "/"+endpoint+"/"+url.PathEscape(id), doc, http.StatusOK, &out)
	}
	if err := p.do(ctx, http.MethodPost, "/"+endpoint, doc, http.StatusCreated, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("idp: SCIM POST /%s answered without an id", endpoint)
	}
	return out.ID, nil
}

func (p pusher) do(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("idp: SCIM %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("idp: SCIM %s %s: %d %s", method, strings.SplitN(path, "?", 2)[0], resp.StatusCode, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}
