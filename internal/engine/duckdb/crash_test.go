package duckdb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestCrashChild is the process that TestKillNineAtomicity kills: it
// changes data and policies in a loop until it dies.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("TIPGATE_CRASH_DIR")
	if dir == "" {
		t.Skip("only run as the child of TestKillNineAtomicity")
	}
	ctx := context.Background()
	e, err := engines.Open(ctx, engines.Config{DataDir: dir, Threads: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	su := identity.LocalSuperuser()
	run := func(q string) {
		r, err := e.Query(ctx, su, q)
		if err != nil {
			fmt.Fprintln(os.Stderr, q, err)
			os.Exit(4)
		}
		r.Close()
	}
	csv := os.Getenv("TIPGATE_CRASH_CSV")
	round := os.Getenv("TIPGATE_CRASH_ROUND")
	fmt.Println("ready")
	for i := 0; ; i++ {
		name := "t" + strconv.Itoa(i%7)
		pol := "p" + round + "_" + strconv.Itoa(i)
		run("DROP TABLE IF EXISTS " + name)
		run("CREATE TABLE " + name + " (id INT, region VARCHAR(10))")
		run("COPY " + name + " FROM '" + csv + "' CSV")
		run("CREATE RLS POLICY " + pol + " WITH (region VARCHAR(10)) USING (region = 'a')")
		run("ATTACH RLS POLICY " + pol + " ON " + name + " TO PUBLIC")
		run("ALTER TABLE " + name + " ROW LEVEL SECURITY ON")
		if i%2 == 0 {
			run("DROP RLS POLICY " + pol + " CASCADE")
		}
	}
}

// TestKillNineAtomicity kills a process that changes data and policies at
// random moments and checks that the warehouse reopens with the catalog
// and the tables agreeing, and every COPY wholly present or absent.
func TestKillNineAtomicity(t *testing.T) {
	if os.Getenv("TIPGATE_CRASH_DIR") != "" {
		t.Skip("child")
	}
	dir := t.TempDir()
	csv := filepath.Join(t.TempDir(), "rows.csv")
	f, err := os.Create(csv)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(f, "%d,%c\n", i, 'a'+rune(i%3))
	}
	f.Close()
	r := rand.New(rand.NewPCG(1, 2))
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TIPGATE_CRASH_DIR="+dir, "TIPGATE_CRASH_CSV="+csv, "TIPGATE_CRASH_ROUND="+strconv.Itoa(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		if _, err := out.Read(buf); err != nil {
			t.Fatalf("child did not start: %v", err)
		}
		time.Sleep(time.Duration(50+r.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || err.Error() != "signal: killed" {
			t.Fatalf("round %d: the child ended before it was killed (%v): the test would prove nothing", round, err)
		}
		checkConsistent(t, dir, round)
	}
}

func checkConsistent(t *testing.T, dir string, round int) {
	t.Helper()
	ctx := context.Background()
	// Open verifies that the catalog and the tables agree.
	e, err := engines.Open(ctx, engines.Config{DataDir: dir, Threads: 1})
	if err != nil {
		t.Fatalf("round %d: warehouse does not reopen consistently: %v", round, err)
	}
	defer e.Close()
	cat := e.Catalog()
	for _, name := range cat.TableNames() {
		rows, err := conformance.Collect(ctx, e, identity.LocalSuperuser(), "SELECT count(*) FROM "+name)
		if err != nil {
			t.Fatalf("round %d: %s: %v", round, name, err)
		}
		n, _ := strconv.Atoi(rows[0])
		if n%1000 != 0 {
			t.Fatalf("round %d: table %s holds %d rows: a COPY was half applied", round, name, n)
		}
	}
	for _, a := range cat.RLSAttachments {
		if _, ok := cat.RLSPolicies[a.Policy]; !ok {
			t.Fatalf("round %d: attachment to missing policy %s", round, a.Policy)
		}
		if _, ok := cat.Table(a.Table); !ok {
			t.Fatalf("round %d: attachment to missing table %s", round, a.Table)
		}
	}
	t.Logf("round %d: %d tables, %d policies, catalog version %d", round, len(cat.Tables), len(cat.RLSPolicies), cat.Version)
}
