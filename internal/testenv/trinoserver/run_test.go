package trinoserver_test

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

// TestRunWithCluster is how scripts outside go test get a cluster
// (scripts/trino/with-cluster.sh): when TIPGATE_TRINO_RUN holds a shell
// command, it starts this binary's cluster, runs the command with
// TIPGATE_TRINO_DSN set to a trino engine DSN (trino.ParseDSN: a schema of
// its own, a fresh PostgreSQL database for the policy catalog) and fails
// if the command fails; TestMain stops the cluster afterwards. Without
// TIPGATE_TRINO_RUN it has nothing to run and skips: it is a harness, and
// what it runs (the browser tests, bench/enforce) does the checking.
func TestRunWithCluster(t *testing.T) {
	command := os.Getenv("TIPGATE_TRINO_RUN")
	if command == "" {
		t.Skip("TIPGATE_TRINO_RUN is not set (scripts/trino/with-cluster.sh sets it)")
	}
	c := trinoserver.Start(t)
	// Ctrl-C or SIGTERM ends the command, then the test, then the cluster.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := exec.CommandContext(ctx, "bash", "-c", command)
	cmd.Env = append(os.Environ(), "TIPGATE_TRINO_DSN="+c.EngineDSN(t, "run"))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Dir = os.Getenv("TIPGATE_TRINO_RUN_DIR")
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v", command, err)
	}
}
