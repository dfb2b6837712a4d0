package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/scim/storetest"
)

// TestAdminDirectory: the admin console's Users & groups lists what was
// provisioned and each client's last provisioning time, for security
// administrators only, and never a token.
func TestAdminDirectory(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	store, err := scim.OpenFileStore(filepath.Join(s.DataDir(), "scim"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := scim.IssueClientToken(ctx, store, "okta", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", s.URL+scim.Path+"/Users", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ming@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("provision: %v %v", resp, err)
	}
	resp.Body.Close()
	u, _ := store.FindUsers(ctx, scim.MatchUserNameOrEmail, "ming@example.com")
	g := storetest.Group("g-apac", "apac-sales", u[0].ID)
	g.Client = "okta"
	if err := store.Create(ctx, g); err != nil {
		t.Fatal(err)
	}

	sam := newBrowser(t, s.URL)
	signIn(t, sam, "sam@example.com", "/app/")
	var d scim.DirectoryView
	if st := sam.GetJSON("/app/api/admin/directory", &d); st != http.StatusOK {
		t.Fatalf("sam: %d", st)
	}
	if len(d.Users) != 1 || d.Users[0].UserName != "ming@example.com" || !d.Users[0].Active || d.Users[0].ProvisionedBy != "okta" ||
		len(d.Users[0].Groups) != 1 || d.Users[0].Groups[0] != "apac-sales" {
		t.Errorf("users %+v", d.Users)
	}
	if len(d.Groups) != 1 || len(d.Groups[0].Members) != 1 || d.Groups[0].Members[0] != "ming@example.com" {
		t.Errorf("groups %+v", d.Groups)
	}
	if len(d.Clients) != 1 || d.Clients[0].Name != "okta" || d.Clients[0].LastProvisioning == nil {
		t.Errorf("clients %+v", d.Clients)
	}
	_, body := sam.Do("GET", "/app/api/admin/directory", nil, nil)
	if strings.Contains(body, tok) || strings.Contains(body, scim.HashToken(tok)) {
		t.Error("the directory answer carries the token or its hash")
	}

	ming := newBrowser(t, s.URL)
	signIn(t, ming, "ming@example.com", "/app/")
	if st := ming.GetJSON("/app/api/admin/directory", &d); st != http.StatusForbidden {
		t.Errorf("ming: %d, want 403", st)
	}
}
