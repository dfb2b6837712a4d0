package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/store"
)

// MaxBody bounds a request body: statements are at most 100 KB, batches 40.
const MaxBody = 8 << 20

// Options configure the binding.
type Options struct {
	Logger *slog.Logger
	Clock  func() time.Time
	// Target is the workgroup and database requests must name; the zero
	// value accepts any (tests that are about something else).
	Target Target
	// Replay, when set, is the replay cache replicas share.
	Replay store.Replay
}

// DataAPI is the Redshift Data API on the awsJson1_1 protocol: POST /,
// X-Amz-Target: RedshiftData.<Operation>, SigV4-signed for redshift-data.
// It only translates; dataapi does the work.
type DataAPI struct {
	svc    *dataapi.Service
	ver    *verifier
	log    *slog.Logger
	target Target
	// bufs holds response encoding buffers (result pages are the large ones).
	bufs dataapi.BufferPool
}

// NewDataAPI returns the handler.
func NewDataAPI(svc *dataapi.Service, creds CredentialStore, opts Options) *DataAPI {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &DataAPI{svc: svc, ver: newVerifier("redshift-data", creds, opts.Clock, opts.Replay), log: reqid.Logger(opts.Logger), target: opts.Target}
}

type operation func(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error)

var operations = map[string]operation{
	"ExecuteStatement":      opExecute(false),
	"BatchExecuteStatement": opExecute(true),
	"DescribeStatement":     opDescribe,
	"GetStatementResult":    opResult,
	"GetStatementResultV2":  opResultV2,
	"CancelStatement":       opCancel,
	"ListStatements":        opList,
	"ListDatabases":         opListDatabases,
	"ListSchemas":           opListSchemas,
	"ListTables":            opListTables,
	"DescribeTable":         opDescribeTable,
}

// ServeHTTP answers with the request's one id (reqid) in X-Amzn-RequestId,
// where AWS SDKs read it, as well as X-Request-Id; the statement it submits
// is audited with the same id.
func (h *DataAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, rid := reqid.FromRequest(w, r)
	op, out, err := h.serve(r)
	if err != nil {
		h.log.InfoContext(r.Context(), "redshift-data request refused", "operation", op, "type", err.Type, "status", err.Status, "remote", r.RemoteAddr)
		writeError(w, err, rid)
		return
	}
	buf := h.bufs.Get()
	defer h.bufs.Put(buf)
	b, merr := encodeAWS(*buf, out)
	if merr != nil {
		writeError(w, &apiError{Status: http.StatusInternalServerError, Type: "InternalServerException", Message: "response could not be encoded"}, rid)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set(reqid.AmznHeader, rid)
	w.Write(b)
	*buf = b
}

func (h *DataAPI) serve(r *http.Request) (string, any, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return "", nil, &apiError{Status: http.StatusNotFound, Type: "UnknownOperationException", Message: "only POST / is served"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return "", nil, errSerialization("the request body could not be read")
	}
	if len(body) > MaxBody {
		return "", nil, &apiError{Status: http.StatusRequestEntityTooLarge, Type: "ValidationException", Message: fmt.Sprintf("the request body is larger than %d bytes", MaxBody)}
	}
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.")
	opFn := operations[name]
	if !ok || opFn == nil {
		return name, nil, &apiError{Status: http.StatusBadRequest, Type: "UnknownOperationException", Message: "unknown operation " + fmt.Sprintf("%q", r.Header.Get("X-Amz-Target"))}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		return name, nil, errSerialization("Content-Type must be application/x-amz-json-1.1")
	}
	ctx := dataapi.WithRequestInfo(r.Context(), dataapi.RequestInfo{Binding: "aws", Source: r.RemoteAddr})
	p, aerr := h.ver.verify(ctx, r, body)
	if aerr != nil {
		h.svc.AuditAuthFailure(ctx, aerr.Type)
		return name, nil, aerr
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if aerr := h.target.check(name, body); aerr != nil {
		return name, nil, aerr
	}
	out, err := opFn(ctx, h.svc, p, body)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return name, nil, ae
		}
		return name, nil, fromService(err)
	}
	return name, out, nil
}

// decode reads a JSON request body strictly enough that wrong types are
// refused, without failing on members newer SDKs may send.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errSerialization(fmt.Sprintf("member %s has the wrong type (%s)", te.Field, te.Value))
		}
		return errSerialization("the request body is not a JSON object")
	}
	if dec.More() {
		return errSerialization("the request body holds more than one JSON value")
	}
	return nil
}

func opExecute(batch bool) operation {
	return func(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
		var in dataapi.ExecuteInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		if batch && in.Sql != "" || !batch && len(in.Sqls) > 0 {
			return nil, errValidation("use Sql with ExecuteStatement and Sqls with BatchExecuteStatement")
		}
		if batch && len(in.Sqls) == 0 {
			return nil, errValidation("1 validation error detected: Value null at 'sqls' failed to satisfy constraint: Member must not be null")
		}
		return svc.Execute(ctx, p, in)
	}
}

type idInput struct {
	ID              string `json:"Id"`
	NextToken       string `json:"NextToken"`
	WaitTimeSeconds int    `json:"WaitTimeSeconds"`
}

func readID(body []byte) (idInput, error) {
	var in idInput
	if err := decode(body, &in); err != nil {
		return in, err
	}
	if in.ID == "" {
		return in, errValidation("1 validation error detected: Value null at 'id' failed to satisfy constraint: Member must not be null")
	}
	return in, nil
}

func opDescribe(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readID(body)
	if err != nil {
		return nil, err
	}
	return svc.Describe(ctx, p, in.ID, in.WaitTimeSeconds)
}

func opResult(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readID(body)
	if err != nil {
		return nil, err
	}
	return svc.ResultPage(ctx, p, in.ID, in.NextToken, in.WaitTimeSeconds, false)
}

func opResultV2(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readID(body)
	if err != nil {
		return nil, err
	}
	return svc.ResultPage(ctx, p, in.ID, in.NextToken, in.WaitTimeSeconds, true)
}

func opCancel(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readID(body)
	if err != nil {
		return nil, err
	}
	ok, err := svc.Cancel(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	return map[string]bool{"Status": ok}, nil
}

func opList(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	var in dataapi.ListInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return svc.List(ctx, p, in)
}

type metaInput struct {
	Database      string `json:"Database"`
	Schema        string `json:"Schema"`
	Table         string `json:"Table"`
	SchemaPattern string `json:"SchemaPattern"`
	TablePattern  string `json:"TablePattern"`
	MaxResults    int    `json:"MaxResults"`
	NextToken     string `json:"NextToken"`
}

func readMeta(body []byte, needDatabase bool) (metaInput, error) {
	var in metaInput
	if err := decode(body, &in); err != nil {
		return in, err
	}
	if needDatabase && in.Database == "" {
		return in, errValidation("1 validation error detected: Value null at 'database' failed to satisfy constraint: Member must not be null")
	}
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return in, errValidation("MaxResults must be between 0 and 1000")
	}
	return in, nil
}

func opListDatabases(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	if _, err := readMeta(body, false); err != nil {
		return nil, err
	}
	return map[string][]string{"Databases": svc.ListDatabases(ctx, p)}, nil
}

func opListSchemas(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readMeta(body, true)
	if err != nil {
		return nil, err
	}
	return map[string][]string{"Schemas": svc.ListSchemas(ctx, p, in.SchemaPattern)}, nil
}

func opListTables(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readMeta(body, true)
	if err != nil {
		return nil, err
	}
	tables, err := svc.ListTables(ctx, p, in.SchemaPattern, in.TablePattern)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tables": tables}, nil
}

func opDescribeTable(ctx context.Context, svc *dataapi.Service, p identity.Principal, body []byte) (any, error) {
	in, err := readMeta(body, true)
	if err != nil {
		return nil, err
	}
	if in.Table == "" {
		return nil, errValidation("Table is required")
	}
	cols, err := svc.DescribeTable(ctx, p, in.Schema, in.Table)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TableName": in.Table, "ColumnList": cols}, nil
}

// timeKeys are the timestamp members, which awsJson1_1 encodes as epoch
// seconds with a fraction.
var timeKeys = map[string]bool{"CreatedAt": true, "UpdatedAt": true}

// encodeAWS is the binding's one encoder; it appends v's body to dst.
func encodeAWS(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case *dataapi.ResultPage:
		// Result pages carry no timestamps and are encoded from their
		// record batch, not by reflection.
		defer x.Release()
		return x.AppendJSON(dst), nil
	case *dataapi.ExecuteOutput:
		// The outputs of every statement's calls: their timestamps typed
		// as epoch seconds, encoded in one pass (encodeGeneric's three
		// passes were most of ExecuteStatement's own cost).
		return appendMarshal(dst, executeWire(x))
	case *dataapi.DescribeOutput:
		return appendMarshal(dst, describeWire(x))
	}
	b, err := encodeGeneric(v)
	return append(dst, b...), err
}

// encodeGeneric encodes v with encoding/json and rewrites every CreatedAt
// and UpdatedAt member as epoch seconds.
func encodeGeneric(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	epochTimes(generic)
	return json.Marshal(generic)
}

func appendMarshal(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func epochTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && timeKeys[k] {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					x[k] = json.Number(epochSeconds(t))
				}
				continue
			}
			epochTimes(val)
		}
	case []any:
		for _, val := range x {
			epochTimes(val)
		}
	}
}

// epochSeconds is awsJson1_1's timestamp: seconds since the epoch with
// milliseconds.
func epochSeconds(t time.Time) string {
	return fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)
}

func writeError(w http.ResponseWriter, e *apiError, requestID string) {
	body := map[string]string{"__type": e.Type, "message": e.Message}
	if e.ResourceID != "" {
		body["ResourceId"] = e.ResourceID
	}
	if e.StatementID != "" {
		body["StatementId"] = e.StatementID
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.Header().Set(reqid.AmznHeader, requestID)
	w.WriteHeader(e.Status)
	w.Write(b)
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }
