package awsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tipgate/tipgate/internal/dataapi"
)

const slowQuery = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"

// TestQuotaErrors: each per-principal limit reaches an SDK as the Data
// API exception its clients already handle; tipgate's running-time budget,
// which the Data API lacks, as ActiveStatementsExceededException.
func TestQuotaErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    dataapi.Options
		running int // slow statements started first
		session bool
		code    string
		message string
	}{
		{"active statements", dataapi.Options{MaxActive: 2}, 2, false, "ActiveStatementsExceededException", "Active statements exceeded"},
		{"running time", dataapi.Options{MaxRunningTime: 2 * dataapi.RunningTimeFloor}, 2, false, "ActiveStatementsExceededException", "Running time exceeded"},
		{"sessions per principal", dataapi.Options{MaxSessionsPerOwner: 2}, 0, true, "ActiveSessionsExceededException", "per principal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServerWith(t, tc.opts)
			c := client(srv.URL, akid, secret)
			ctx := context.Background()
			var started []*string
			defer func() {
				for _, id := range started {
					c.CancelStatement(ctx, &redshiftdata.CancelStatementInput{Id: id})
					waitFor(t, c, id)
				}
			}()
			for range tc.running {
				out, err := c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String(slowQuery), Database: aws.String("dev")})
				if err != nil {
					t.Fatal(err)
				}
				started = append(started, out.Id)
			}
			// A fresh input each call: the SDK fills in a ClientToken, and a
			// repeated one is the same statement.
			in := func() *redshiftdata.ExecuteStatementInput {
				in := &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"), Database: aws.String("dev")}
				if tc.session {
					in.SessionKeepAliveSeconds = aws.Int32(60)
				}
				return in
			}
			if tc.session {
				for range 2 {
					out, err := c.ExecuteStatement(ctx, in())
					if err != nil {
						t.Fatal(err)
					}
					waitFor(t, c, out.Id)
				}
			}
			_, err := c.ExecuteStatement(ctx, in())
			var ae smithy.APIError
			var re *smithyhttp.ResponseError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), tc.message) {
				t.Fatalf("got %v, want %s (%s)", err, tc.code, tc.message)
			}
			if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
				t.Fatalf("HTTP status: %v", err)
			}
			// Another principal is not refused.
			other := client(srv.URL, akid2, secret+"2")
			out, err := other.ExecuteStatement(ctx, in())
			if err != nil {
				t.Fatalf("another principal: %v", err)
			}
			waitFor(t, other, out.Id)
		})
	}
}
