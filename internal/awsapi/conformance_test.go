package awsapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata/types"
	"github.com/aws/smithy-go"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/dataapi/conformance"
)

// sdkClient drives the binding with the real aws-sdk-go-v2 client.
type sdkClient struct{ c *redshiftdata.Client }

func sdkError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &conformance.Error{Kind: dataapi.Kind(ae.ErrorCode()), Message: ae.ErrorMessage()}
	}
	return err
}

func (s sdkClient) Execute(ctx context.Context, in dataapi.ExecuteInput) (string, error) {
	var params []types.SqlParameter
	for _, p := range in.Parameters {
		params = append(params, types.SqlParameter{Name: aws.String(p.Name), Value: aws.String(p.Value)})
	}
	var tok *string
	if in.ClientToken != "" {
		tok = aws.String(in.ClientToken)
	}
	if len(in.Sqls) > 0 {
		out, err := s.c.BatchExecuteStatement(ctx, &redshiftdata.BatchExecuteStatementInput{Sqls: in.Sqls, Database: aws.String("dev"),
			StatementName: nilIfEmpty(in.StatementName), ClientToken: tok})
		if err != nil {
			return "", sdkError(err)
		}
		return aws.ToString(out.Id), nil
	}
	out, err := s.c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String(in.Sql), Database: aws.String("dev"),
		Parameters: params, StatementName: nilIfEmpty(in.StatementName), ClientToken: tok, ResultFormat: types.ResultFormatString(in.ResultFormat)})
	if err != nil {
		return "", sdkError(err)
	}
	return aws.ToString(out.Id), nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (s sdkClient) Describe(ctx context.Context, id string) (conformance.Statement, error) {
	d, err := s.c.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: aws.String(id)})
	if err != nil {
		return conformance.Statement{}, sdkError(err)
	}
	st := conformance.Statement{Status: string(d.Status), ResultRows: d.ResultRows, Error: aws.ToString(d.Error), HasResult: aws.ToBool(d.HasResultSet)}
	for _, sub := range d.SubStatements {
		st.Subs = append(st.Subs, string(sub.Status))
	}
	return st, nil
}

func fieldText(f types.Field) string {
	switch v := f.(type) {
	case *types.FieldMemberIsNull:
		return "NULL"
	case *types.FieldMemberLongValue:
		return strconv.FormatInt(v.Value, 10)
	case *types.FieldMemberStringValue:
		return v.Value
	case *types.FieldMemberDoubleValue:
		return strconv.FormatFloat(v.Value, 'g', -1, 64)
	case *types.FieldMemberBooleanValue:
		return strconv.FormatBool(v.Value)
	}
	return "?"
}

func (s sdkClient) Result(ctx context.Context, id, next string) (conformance.Page, error) {
	r, err := s.c.GetStatementResult(ctx, &redshiftdata.GetStatementResultInput{Id: aws.String(id), NextToken: nilIfEmpty(next)})
	if err != nil {
		return conformance.Page{}, sdkError(err)
	}
	p := conformance.Page{Total: r.TotalNumRows, NextToken: aws.ToString(r.NextToken)}
	for _, rec := range r.Records {
		var row []string
		for _, f := range rec {
			row = append(row, fieldText(f))
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func (s sdkClient) ResultCSV(ctx context.Context, id, next string) (conformance.Page, error) {
	r, err := s.c.GetStatementResultV2(ctx, &redshiftdata.GetStatementResultV2Input{Id: aws.String(id), NextToken: nilIfEmpty(next)})
	if err != nil {
		return conformance.Page{}, sdkError(err)
	}
	p := conformance.Page{Total: r.TotalNumRows, NextToken: aws.ToString(r.NextToken)}
	for _, rec := range r.Records {
		if v, ok := rec.(*types.QueryRecordsMemberCSVRecords); ok {
			p.CSV += v.Value
		}
	}
	return p, nil
}

func (s sdkClient) Cancel(ctx context.Context, id string) (bool, error) {
	out, err := s.c.CancelStatement(ctx, &redshiftdata.CancelStatementInput{Id: aws.String(id)})
	if err != nil {
		return false, sdkError(err)
	}
	return aws.ToBool(out.Status), nil
}

func (s sdkClient) List(ctx context.Context, prefix, status string) ([]string, error) {
	out, err := s.c.ListStatements(ctx, &redshiftdata.ListStatementsInput{StatementName: nilIfEmpty(prefix), Status: types.StatusString(status)})
	if err != nil {
		return nil, sdkError(err)
	}
	var ids []string
	for _, st := range out.Statements {
		ids = append(ids, aws.ToString(st.Id))
	}
	return ids, nil
}

func (s sdkClient) ListTables(ctx context.Context) ([]string, error) {
	out, err := s.c.ListTables(ctx, &redshiftdata.ListTablesInput{Database: aws.String("dev")})
	if err != nil {
		return nil, sdkError(err)
	}
	var names []string
	for _, t := range out.Tables {
		names = append(names, aws.ToString(t.Name))
	}
	return names, nil
}

func (s sdkClient) DescribeTable(ctx context.Context, table string) ([]string, error) {
	out, err := s.c.DescribeTable(ctx, &redshiftdata.DescribeTableInput{Database: aws.String("dev"), Table: aws.String(table)})
	if err != nil {
		return nil, sdkError(err)
	}
	var cols []string
	for _, c := range out.ColumnList {
		cols = append(cols, aws.ToString(c.Name))
	}
	return cols, nil
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, svc *dataapi.Service) (conformance.Client, conformance.Client) {
		store := awsapi.StaticCredentials{
			"AKIDCONFORMANCEMING1": {SecretAccessKey: "ming-conformance-secret-0001", Principal: conformance.Ming},
			"AKIDCONFORMANCEFRNK1": {SecretAccessKey: "frank-conformance-secret-001", Principal: conformance.Frank},
		}
		srv := httptest.NewServer(awsapi.NewDataAPI(svc, store, awsapi.Options{}))
		t.Cleanup(srv.Close)
		mk := func(id, key string) conformance.Client {
			return sdkClient{redshiftdata.New(redshiftdata.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider(id, key, ""), RetryMaxAttempts: 1})}
		}
		return mk("AKIDCONFORMANCEMING1", "ming-conformance-secret-0001"), mk("AKIDCONFORMANCEFRNK1", "frank-conformance-secret-001")
	})
}
