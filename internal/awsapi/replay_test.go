package awsapi_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// downReplay is a shared replay cache that cannot be reached.
type downReplay struct{}

func (downReplay) FirstUse(context.Context, string, string, time.Time) (bool, error) {
	return false, store.ErrUnavailable
}

// TestReplaySharedByReplicas: a signature used on one replica is refused
// on another sharing the store (it used to be each process's own cache),
// and a replica that cannot reach the cache refuses rather than accept.
func TestReplaySharedByReplicas(t *testing.T) {
	creds := awsapi.StaticCredentials{akid: {SecretAccessKey: secret, Principal: identity.Principal{User: "ming"}}}
	shared := memstore.New("", 0).Replay()
	now := time.Now()
	a := awsapi.NewSigV4("redshift-data", creds, nil, shared)
	b := awsapi.NewSigV4("redshift-data", creds, nil, shared)
	down := awsapi.NewSigV4("redshift-data", creds, nil, downReplay{})
	body := `{"Sql":"SELECT 1"}`
	req := signed(t, "http://replica", "RedshiftData.ExecuteStatement", body, now, secret)
	verify := func(v *awsapi.SigV4) *awsapi.AuthFailure {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(strings.NewReader(body))
		_, _, f := v.Verify(context.Background(), r, []byte(body))
		return f
	}
	if f := verify(down); f == nil || !strings.Contains(f.Message, "unavailable") {
		t.Fatalf("without its replay cache: %v, want a refusal naming the store", f)
	}
	if f := verify(a); f != nil {
		t.Fatalf("first use on replica a: %v", f)
	}
	if f := verify(b); f == nil || f.Kind != awsapi.AuthSignature || !strings.Contains(f.Message, "already been used") {
		t.Fatalf("replay on replica b: %v, want refused", f)
	}
}

// TestReplayCacheFull: a verifier whose replay cache is full refuses a new
// state-changing request (503, retry) rather than forget a signature, and
// still refuses the replay of one it holds.
func TestReplayCacheFull(t *testing.T) {
	creds := awsapi.StaticCredentials{akid: {SecretAccessKey: secret, Principal: identity.Principal{User: "ming"}}}
	v := awsapi.NewSigV4("redshift-data", creds, nil, nil)
	awsapi.SetReplayMax(v, 1)
	now := time.Now()
	verify := func(body string) *awsapi.AuthFailure {
		r := signed(t, "http://tipgate", "RedshiftData.ExecuteStatement", body, now, secret)
		_, _, f := v.Verify(context.Background(), r, []byte(body))
		return f
	}
	if f := verify(`{"Sql":"SELECT 1"}`); f != nil {
		t.Fatalf("first: %v", f)
	}
	if f := verify(`{"Sql":"SELECT 2"}`); f == nil || !strings.Contains(f.Message, "retry shortly") {
		t.Fatalf("full cache: %v, want a refusal to retry", f)
	}
	if f := verify(`{"Sql":"SELECT 1"}`); f == nil || f.Kind != awsapi.AuthSignature || !strings.Contains(f.Message, "already been used") {
		t.Fatalf("replay with a full cache: %v, want refused", f)
	}
}
