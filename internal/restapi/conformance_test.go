package restapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/dataapi/conformance"
	"github.com/tipgate/tipgate/internal/restapi"
)

// restClient drives the /v1 binding over HTTP.
type restClient struct {
	base, token string
}

var codeKinds = map[string]dataapi.Kind{"validation": dataapi.Validation, "not_found": dataapi.ResourceNotFound,
	"active_statements_exceeded": dataapi.ActiveStatementsExceeded, "permission_denied": dataapi.AccessDenied,
	"active_sessions_exceeded": dataapi.ActiveSessionsExceeded, "running_time_exceeded": dataapi.RunningTimeExceeded}

func (c restClient) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequestWithContext(ctx, method, c.base+path, &body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e restapi.Error
		json.NewDecoder(resp.Body).Decode(&e)
		return &conformance.Error{Kind: codeKinds[e.Code], Message: e.Message}
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c restClient) Execute(ctx context.Context, in dataapi.ExecuteInput) (string, error) {
	var out dataapi.ExecuteOutput
	err := c.do(ctx, "POST", "/v1/statements", in, &out)
	return out.ID, err
}

func (c restClient) Describe(ctx context.Context, id string) (conformance.Statement, error) {
	var d dataapi.DescribeOutput
	if err := c.do(ctx, "GET", "/v1/statements/"+url.PathEscape(id), nil, &d); err != nil {
		return conformance.Statement{}, err
	}
	st := conformance.Statement{Status: d.Status, ResultRows: d.ResultRows, Error: d.Error, HasResult: d.HasResultSet}
	for _, s := range d.SubStatements {
		st.Subs = append(st.Subs, s.Status)
	}
	return st, nil
}

func fieldText(f dataapi.Field) string {
	switch {
	case f.IsNull != nil:
		return "NULL"
	case f.LongValue != nil:
		return strconv.FormatInt(*f.LongValue, 10)
	case f.StringValue != nil:
		return *f.StringValue
	case f.DoubleValue != nil:
		return strconv.FormatFloat(*f.DoubleValue, 'g', -1, 64)
	case f.BooleanValue != nil:
		return strconv.FormatBool(*f.BooleanValue)
	}
	return fmt.Sprint(f.BlobValue)
}

func (c restClient) Result(ctx context.Context, id, next string) (conformance.Page, error) {
	var r dataapi.ResultOutput
	if err := c.do(ctx, "GET", "/v1/statements/"+url.PathEscape(id)+"/result?NextToken="+url.QueryEscape(next), nil, &r); err != nil {
		return conformance.Page{}, err
	}
	p := conformance.Page{Total: r.TotalNumRows, NextToken: r.NextToken}
	for _, rec := range r.Records {
		var row []string
		for _, f := range rec {
			row = append(row, fieldText(f))
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func (c restClient) ResultCSV(ctx context.Context, id, next string) (conformance.Page, error) {
	var r dataapi.ResultV2Output
	if err := c.do(ctx, "GET", "/v1/statements/"+url.PathEscape(id)+"/result?format=csv&NextToken="+url.QueryEscape(next), nil, &r); err != nil {
		return conformance.Page{}, err
	}
	p := conformance.Page{Total: r.TotalNumRows, NextToken: r.NextToken}
	for _, rec := range r.Records {
		p.CSV += rec.CSVRecords
	}
	return p, nil
}

func (c restClient) Cancel(ctx context.Context, id string) (bool, error) {
	var out struct{ Status bool }
	err := c.do(ctx, "POST", "/v1/statements/"+url.PathEscape(id)+"/cancel", nil, &out)
	return out.Status, err
}

func (c restClient) List(ctx context.Context, prefix, status string) ([]string, error) {
	var out dataapi.ListOutput
	if err := c.do(ctx, "GET", "/v1/statements?StatementName="+url.QueryEscape(prefix)+"&Status="+status, nil, &out); err != nil {
		return nil, err
	}
	var ids []string
	for _, s := range out.Statements {
		ids = append(ids, s.ID)
	}
	return ids, nil
}

func (c restClient) ListTables(ctx context.Context) ([]string, error) {
	var out struct{ Tables []dataapi.TableMember }
	if err := c.do(ctx, "GET", "/v1/tables", nil, &out); err != nil {
		return nil, err
	}
	var names []string
	for _, t := range out.Tables {
		names = append(names, t.Name)
	}
	return names, nil
}

func (c restClient) DescribeTable(ctx context.Context, table string) ([]string, error) {
	var out struct{ ColumnList []dataapi.ColumnMetadata }
	if err := c.do(ctx, "GET", "/v1/tables/public/"+url.PathEscape(table), nil, &out); err != nil {
		return nil, err
	}
	var cols []string
	for _, c := range out.ColumnList {
		cols = append(cols, c.Name)
	}
	return cols, nil
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, svc *dataapi.Service) (conformance.Client, conformance.Client) {
		srv := httptest.NewServer(restapi.New(svc, tokens{"tok-ming": conformance.Ming, "tok-frank": conformance.Frank}, nil))
		t.Cleanup(srv.Close)
		return restClient{srv.URL, "tok-ming"}, restClient{srv.URL, "tok-frank"}
	})
}
