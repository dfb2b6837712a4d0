package dataapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

// TestRequestIDCarried: a statement runs after the request that submitted
// it may have ended; its audit records and log lines still carry that
// request's id, whatever the statement's shape or outcome.
func TestRequestIDCarried(t *testing.T) {
	alog, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close()
	var logs logbuf.Buffer
	// The service wraps the logger itself: no reqid handler here.
	e := newEnv(t, dataapi.Options{Audit: alog, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for _, tc := range []struct {
		name string
		in   dataapi.ExecuteInput
		want []string // statuses of the audit records, in statement order
	}{
		{"single", dataapi.ExecuteInput{Sql: "SELECT count(*) FROM sales"}, []string{dataapi.StatusFinished}},
		{"failing", dataapi.ExecuteInput{Sql: "SELECT nope FROM sales"}, []string{dataapi.StatusFailed}},
		{"transaction batch", dataapi.ExecuteInput{Sqls: []string{"SELECT 1", "SELECT count(*) FROM sales"}}, []string{dataapi.StatusFinished, dataapi.StatusFinished}},
		{"auto-commit batch", dataapi.ExecuteInput{Sqls: []string{"SELECT 1", "SELECT nope"}, ExecutionMode: "AUTO_COMMIT"}, []string{dataapi.StatusFinished, dataapi.StatusFailed}},
		{"parameters", dataapi.ExecuteInput{Sql: "SELECT id FROM sales WHERE id = :id", Parameters: []dataapi.Parameter{{Name: "id", Value: "2"}}}, []string{dataapi.StatusFinished}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "rid-" + strings.ReplaceAll(tc.name, " ", "-")
			// The submitting request ends (its context is cancelled) before
			// the statement is looked at.
			ctx, cancel := context.WithCancel(reqid.WithID(dataapi.WithRequestInfo(context.Background(), dataapi.RequestInfo{Binding: "rest"}), id))
			out, err := e.svc.Execute(ctx, e.ming, tc.in)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.svc.Describe(context.Background(), e.ming, out.ID, 30)
			if err != nil || (d.Status != dataapi.StatusFinished && d.Status != dataapi.StatusFailed) {
				t.Fatalf("describe: %v %+v", err, d)
			}
			recs := alog.Recent(func(r audit.Record) bool { return strings.HasPrefix(r.StatementID, out.ID) }, 0)
			if len(recs) != len(tc.want) {
				t.Fatalf("%d audit records for %s, want %d", len(recs), out.ID, len(tc.want))
			}
			for i, r := range recs {
				if r.RequestID != id || r.Status != tc.want[len(recs)-1-i] {
					t.Errorf("record %s: request_id %q status %s, want %q %s", r.StatementID, r.RequestID, r.Status, id, tc.want[len(recs)-1-i])
				}
			}
			line := findLine(t, logs.String(), "statement ended", out.ID)
			if line == nil || line["request_id"] != id || line["status"] != d.Status {
				t.Fatalf("log line %v, want request_id %q", line, id)
			}
		})
	}
	// Refused authentication and view-as carry the id too; a call without
	// one records none.
	for _, tc := range []struct {
		name, id string
	}{{"with id", "rid-other"}, {"without id", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := dataapi.WithRequestInfo(context.Background(), dataapi.RequestInfo{Binding: "aws"})
			if tc.id != "" {
				ctx = reqid.WithID(ctx, tc.id)
			}
			e.svc.AuditAuthFailure(ctx, "bad_signature_"+tc.name)
			if err := e.svc.AuditViewAs(ctx, e.su, e.frank); err != nil {
				t.Fatal(err)
			}
			recs := alog.Recent(nil, 2)
			if len(recs) != 2 || recs[0].Kind != "view_as" || recs[1].Kind != "auth_failure" {
				t.Fatalf("records %+v", recs)
			}
			for _, r := range recs {
				if r.RequestID != tc.id {
					t.Errorf("%s record carries request_id %q, want %q", r.Kind, r.RequestID, tc.id)
				}
			}
		})
	}
}

// findLine returns the JSON log line with message msg naming statement id.
func findLine(t *testing.T, logs, msg, id string) map[string]any {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		var v map[string]any
		if json.Unmarshal([]byte(l), &v) == nil && v["msg"] == msg && v["statement_id"] == id {
			return v
		}
	}
	return nil
}
