package awsapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/smithy-go"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/dataapi"
)

// TestTarget: requests naming another workgroup, a cluster, no warehouse
// at all or another database are refused with Redshift's
// ValidationException, through the real SDK; the configured names (and a
// workgroup ARN of the account) are accepted.
func TestTarget(t *testing.T) {
	srv := newServerWith(t, dataapi.Options{}, awsapi.Options{Target: awsapi.Target{AccountID: "123456789012", Workgroup: "redshift-tip-enabled", Database: "dev"}})
	c := client(srv.URL, akid, secret)
	ctx := context.Background()
	const noSuch = "Redshift endpoint doesn't exist in this region."
	for _, tc := range []struct {
		name                   string
		workgroup, cluster, db *string
		want                   string // "" accepted
	}{
		{"the workgroup", aws.String("redshift-tip-enabled"), nil, aws.String("dev"), ""},
		{"its ARN", aws.String("arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/redshift-tip-enabled"), nil, aws.String("dev"), ""},
		{"a mistyped workgroup", aws.String("redshift-tip-enabeld"), nil, aws.String("dev"), noSuch},
		{"another account's ARN", aws.String("arn:aws:redshift-serverless:eu-west-1:000000000000:workgroup/redshift-tip-enabled"), nil, aws.String("dev"), noSuch},
		{"a cluster", nil, aws.String("redshift-tip-enabled"), aws.String("dev"), noSuch},
		{"both", aws.String("redshift-tip-enabled"), aws.String("c"), aws.String("dev"), noSuch},
		{"neither", nil, nil, aws.String("dev"), "Either ClusterIdentifier or WorkgroupName needs to be specified."},
		{"another database", aws.String("redshift-tip-enabled"), nil, aws.String("prod"), `FATAL: database "prod" does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(op string, err error) {
				t.Helper()
				var ae smithy.APIError
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("%s: %v", op, err)
				case tc.want != "" && (!errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != tc.want):
					t.Errorf("%s: got %v, want ValidationException: %s", op, err, tc.want)
				}
			}
			_, err := c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"), WorkgroupName: tc.workgroup, ClusterIdentifier: tc.cluster, Database: tc.db})
			check("ExecuteStatement", err)
			_, err = c.BatchExecuteStatement(ctx, &redshiftdata.BatchExecuteStatementInput{Sqls: []string{"SELECT 1"}, WorkgroupName: tc.workgroup, ClusterIdentifier: tc.cluster, Database: tc.db})
			check("BatchExecuteStatement", err)
			_, err = c.ListTables(ctx, &redshiftdata.ListTablesInput{WorkgroupName: tc.workgroup, ClusterIdentifier: tc.cluster, Database: tc.db})
			check("ListTables", err)
			_, err = c.DescribeTable(ctx, &redshiftdata.DescribeTableInput{Table: aws.String("sales"), WorkgroupName: tc.workgroup, ClusterIdentifier: tc.cluster, Database: tc.db})
			check("DescribeTable", err)
		})
	}
}
