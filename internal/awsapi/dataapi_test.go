package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata/types"
	"github.com/aws/smithy-go"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
)

const (
	akid   = "AKIDTIPGATEMING00001"
	secret = "ming-secret-access-key-0123456789abcdef"
	akid2  = "AKIDTIPGATEFRANK0001"
)

func newServer(t testing.TB) *httptest.Server {
	t.Helper()
	return newServerWith(t, dataapi.Options{})
}

func newServerWith(t testing.TB, opts dataapi.Options, binding ...awsapi.Options) *httptest.Server {
	t.Helper()
	eng := duckdbtest.New(t, 1,
		"CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2))",
		"INSERT INTO sales VALUES (1, 'asia', 1.50), (2, 'amer', 2.25), (3, 'asia', NULL)",
		`CREATE ROLE "AWSIDC:apac"`, `CREATE ROLE "AWSIDC:amer"`,
		`GRANT SELECT ON sales TO ROLE "AWSIDC:apac", ROLE "AWSIDC:amer"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		"CREATE RLS POLICY amer WITH (region VARCHAR(10)) USING (region = 'amer')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`,
		`ATTACH RLS POLICY amer ON sales TO ROLE "AWSIDC:amer"`,
		"ALTER TABLE sales ROW LEVEL SECURITY ON",
	)
	opts.DataDir = t.TempDir()
	svc, err := dataapi.New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	frank, _ := identity.Simulated("frank@example.com", "AWSIDC", []string{"amer"})
	store := awsapi.StaticCredentials{
		akid:  {SecretAccessKey: secret, Principal: ming},
		akid2: {SecretAccessKey: secret + "2", Principal: frank},
	}
	var bo awsapi.Options
	if len(binding) > 0 {
		bo = binding[0]
	}
	srv := httptest.NewServer(awsapi.NewDataAPI(svc, store, bo))
	t.Cleanup(srv.Close)
	return srv
}

func client(url, id, key string) *redshiftdata.Client {
	return redshiftdata.New(redshiftdata.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(id, key, ""),
		RetryMaxAttempts: 1,
	})
}

func TestRealSDK(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := client(srv.URL, akid, secret)
	out, err := c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{
		Sql: aws.String("SELECT id, amount FROM sales WHERE id >= :min ORDER BY id"), WorkgroupName: aws.String("redshift-tip-enabled"),
		Database: aws.String("dev"), Parameters: []types.SqlParameter{{Name: aws.String("min"), Value: aws.String("1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := waitFor(t, c, out.Id)
	if d.Status != types.StatusStringFinished || d.ResultRows != 2 || !aws.ToBool(d.HasResultSet) || d.CreatedAt == nil || time.Since(*d.CreatedAt) > time.Minute {
		t.Fatalf("describe: status %s rows %d created %v", d.Status, d.ResultRows, d.CreatedAt)
	}
	r, err := c.GetStatementResult(ctx, &redshiftdata.GetStatementResultInput{Id: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 2 {
		t.Fatalf("%d records", len(r.Records))
	}
	if v, ok := r.Records[0][1].(*types.FieldMemberStringValue); !ok || v.Value != "1.50" {
		t.Fatalf("DECIMAL must be a stringValue: %#v", r.Records[0][1])
	}
	if _, ok := r.Records[1][1].(*types.FieldMemberIsNull); !ok {
		t.Fatalf("NULL must be isNull: %#v", r.Records[1][1])
	}
	if v, ok := r.Records[0][0].(*types.FieldMemberLongValue); !ok || v.Value != 1 {
		t.Fatalf("INT must be a longValue: %#v", r.Records[0][0])
	}
	if r.ColumnMetadata[0].TypeName == nil || *r.ColumnMetadata[0].TypeName != "int4" {
		t.Fatalf("column metadata %+v", r.ColumnMetadata[0])
	}
	// A SQL error is a FAILED statement, not an API error.
	bad, err := c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT nope FROM sales"), Database: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	bd := waitFor(t, c, bad.Id)
	if bd.Status != types.StatusStringFailed || !strings.Contains(aws.ToString(bd.Error), "nope") {
		t.Fatalf("failed statement: %s %q", bd.Status, aws.ToString(bd.Error))
	}
	tables, err := c.ListTables(ctx, &redshiftdata.ListTablesInput{Database: aws.String("dev")})
	if err != nil || len(tables.Tables) != 1 || aws.ToString(tables.Tables[0].Name) != "sales" {
		t.Fatalf("list tables: %+v %v", tables, err)
	}
	list, err := c.ListStatements(ctx, &redshiftdata.ListStatementsInput{})
	if err != nil || len(list.Statements) != 2 {
		t.Fatalf("list statements: %v %v", list, err)
	}
	// Another principal gets 404 for ming's statement.
	other := client(srv.URL, akid2, secret+"2")
	_, err = other.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: out.Id})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("other principal: %v", err)
	}
	// Wrong secret and unknown key are refused with AWS's shapes.
	for name, c := range map[string]*redshiftdata.Client{
		"InvalidSignatureException":   client(srv.URL, akid, "wrong"),
		"UnrecognizedClientException": client(srv.URL, "AKIDUNKNOWN000000000", secret),
	} {
		_, err := c.ListDatabases(ctx, &redshiftdata.ListDatabasesInput{Database: aws.String("dev")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != name {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// signed builds a request signed like an SDK would.
func signed(t testing.TB, url, target, body string, at time.Time, key string) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256hex(body)
	req.Header.Set("X-Amz-Content-Sha256", sum)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: key}, req, sum, "redshift-data", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestBadRequests(t *testing.T) {
	srv := newServer(t)
	now := time.Now()
	do := func(req *http.Request) (int, string) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A state-changing call may not be played again; a read may (SDKs
	// repeat polls with identical signatures, and reads change nothing).
	replay := signed(t, srv.URL, "RedshiftData.ExecuteStatement", `{"Sql":"SELECT 1"}`, now, secret)
	replayBody := `{"Sql":"SELECT 1"}`
	read := signed(t, srv.URL, "RedshiftData.ListDatabases", `{"Database":"dev"}`, now, secret)
	for i := 0; i < 2; i++ {
		r := read.Clone(context.Background())
		r.Body = io.NopCloser(strings.NewReader(`{"Database":"dev"}`))
		if status, body := do(r); status != 200 {
			t.Fatalf("repeated read %d: %d %s", i, status, body)
		}
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		typ    string
	}{
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			r.Header.Set("X-Amz-Target", "RedshiftData.ListDatabases")
			return r
		}, 400, "MissingAuthenticationTokenException"},
		{"expired signature", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ListDatabases", `{"Database":"dev"}`, now.Add(-20*time.Minute), secret)
		}, 400, "InvalidSignatureException"},
		{"future signature", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ListDatabases", `{"Database":"dev"}`, now.Add(20*time.Minute), secret)
		}, 400, "InvalidSignatureException"},
		{"tampered body", func() *http.Request {
			r := signed(t, srv.URL, "RedshiftData.ListDatabases", `{"Database":"dev"}`, now, secret)
			r.Body = io.NopCloser(strings.NewReader(`{"Database":"xxx"}`))
			return r
		}, 400, "InvalidSignatureException"},
		{"unknown operation", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.DropEverything", `{}`, now, secret)
		}, 400, "UnknownOperationException"},
		{"malformed json", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ExecuteStatement", `{"Sql":`, now, secret)
		}, 400, "SerializationException"},
		{"wrong type", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ExecuteStatement", `{"Sql": 42}`, now, secret)
		}, 400, "SerializationException"},
		{"missing Sql", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ExecuteStatement", `{"Database":"dev"}`, now, secret)
		}, 400, "ValidationException"},
		{"DbUser refused", func() *http.Request {
			return signed(t, srv.URL, "RedshiftData.ExecuteStatement", `{"Sql":"SELECT 1","DbUser":"admin"}`, now, secret)
		}, 400, "ValidationException"},
		{"oversized body", func() *http.Request {
			big := `{"Sql":"` + strings.Repeat("x", 10<<20) + `"}`
			return signed(t, srv.URL, "RedshiftData.ExecuteStatement", big, now, secret)
		}, 413, "ValidationException"},
		{"replayed signature", func() *http.Request {
			r := replay.Clone(context.Background())
			r.Body = io.NopCloser(bytes.NewReader([]byte(replayBody)))
			return r
		}, 400, "InvalidSignatureException"},
	}
	// The first use of the replayed request succeeds.
	first := replay.Clone(context.Background())
	first.Body = io.NopCloser(strings.NewReader(replayBody))
	if status, body := do(first); status != 200 {
		t.Fatalf("first use: %d %s", status, body)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(tc.req())
			if status != tc.status || !strings.Contains(body, `"__type":"`+tc.typ+`"`) {
				t.Fatalf("got %d %s, want %d %s", status, body, tc.status, tc.typ)
			}
			if strings.Contains(body, secret) {
				t.Fatal("the secret reached a response")
			}
		})
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// waitFor polls DescribeStatement until the statement ends, as SDK users do.
func waitFor(t *testing.T, c *redshiftdata.Client, id *string) *redshiftdata.DescribeStatementOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.DescribeStatement(context.Background(), &redshiftdata.DescribeStatementInput{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		switch d.Status {
		case types.StatusStringFinished, types.StatusStringFailed, types.StatusStringAborted:
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("statement %s still %s", *id, d.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
