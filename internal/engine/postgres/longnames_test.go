package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestLongNames: Redshift names up to 127 bytes exceed PostgreSQL's 63;
// the role map keeps a long user and a long group apart from their cut
// names, and current_user in a policy is still the Redshift name.
func TestLongNames(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	group := strings.Repeat("g", 70)
	email := strings.Repeat("u", 60) + "@example.com"
	user := identity.DefaultNamespace + ":" + email
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE docs (id INT, owner VARCHAR(128));
		INSERT INTO docs VALUES (1, '`+user+`'), (2, 'someone else');
		CREATE ROLE "AWSIDC:`+group+`";
		GRANT SELECT ON docs TO ROLE "AWSIDC:`+group+`";
		CREATE RLS POLICY mine WITH (owner VARCHAR(128)) USING (owner = current_user);
		ATTACH RLS POLICY mine ON docs TO ROLE "AWSIDC:`+group+`";
		ALTER TABLE docs ROW LEVEL SECURITY ON;`); err != nil {
		t.Fatal(err)
	}
	p, err := identity.Simulated(email, identity.DefaultNamespace, []string{group})
	if err != nil {
		t.Fatal(err)
	}
	got, err := conformance.Collect(ctx, e, p, "SELECT id, current_user FROM docs")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "1|"+user {
		t.Fatalf("%s reads %q, want only its own row as itself", user, got)
	}
}
