package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/cliauth"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// waitSeconds is how long one request asks the server to wait for a
// statement (the REST binding's maximum).
const waitSeconds = 30

// errSessionRefused is a 401 from the server: the stored session was
// revoked, expired or signed by a key the server no longer trusts.
var errSessionRefused = errors.New("the server refused the stored session")

// restClient calls a tipgate server's /v1 REST binding with the stored
// session. The token goes only to the server it was issued by.
type restClient struct {
	sess cliauth.Session
	hc   *http.Client
}

// openSession loads the stored session for remote use. remote, when not
// empty, must be the server the session belongs to.
func openSession(remote string) (*restClient, error) {
	store, err := cliauth.DefaultStore()
	if err != nil {
		return nil, err
	}
	sess, err := store.Load()
	if err != nil {
		return nil, err
	}
	if remote != "" {
		want, err := cliauth.CheckURL("--remote", remote)
		if err != nil {
			return nil, err
		}
		if want != sess.Server {
			return nil, fmt.Errorf("the stored session is for %s, not %s: run 'tipgate login --server %s'", sess.Server, want, want)
		}
	}
	if sess.Expired(time.Now()) {
		return nil, fmt.Errorf("your session at %s expired at %s: run 'tipgate login' again", sess.Server, sess.Expiry.Local().Format(time.DateTime))
	}
	return &restClient{sess: sess, hc: cliauth.NewHTTPClient()}, nil
}

// restError is the REST binding's {code, message} error.
type restError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *restError) Error() string { return e.Message }

// do sends one request; in, when not nil, is the JSON body and out
// receives the JSON answer.
func (c *restClient) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.sess.Server + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.sess.Token.Reveal())
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, 256<<20))
	if resp.StatusCode != http.StatusOK {
		e := &restError{Status: resp.StatusCode}
		if dec.Decode(e) != nil || e.Message == "" {
			e.Message = method + " " + path + ": " + resp.Status
		}
		if resp.StatusCode == http.StatusUnauthorized {
			reason := strings.TrimPrefix(e.Message, "the session token is not valid: ")
			return fmt.Errorf("%w (%s): run 'tipgate login' again", errSessionRefused, reason)
		}
		return e
	}
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s %s: the response is not the expected JSON", method, path)
	}
	return nil
}

func (c *restClient) whoami(ctx context.Context) (dataapi.Identity, error) {
	var id dataapi.Identity
	err := c.do(ctx, http.MethodGet, "/v1/whoami", nil, nil, &id)
	return id, err
}

// statementError is a statement the server ran and reported as failed:
// its Error text and, for an SQL error, its SQLSTATE.
type statementError struct{ msg, sqlState string }

func (e *statementError) Error() string { return e.msg }

// executeRequest is ExecuteStatement's input with the REST binding's
// IncludeResult: a statement that ends within the wait is answered with its
// first result page, and a small result costs one round trip.
type executeRequest struct {
	dataapi.ExecuteInput
	IncludeResult bool `json:"IncludeResult"`
}

// executeAnswer is the POST's answer; Result is there only when the
// statement finished within the wait with a result set.
type executeAnswer struct {
	dataapi.ExecuteOutput
	Result *dataapi.ResultOutput `json:"Result"`
}

// run submits one statement and waits until it ends. first is the
// result's first page when the server included it in its answer.
func (c *restClient) run(ctx context.Context, sql string) (d dataapi.DescribeOutput, first *dataapi.ResultOutput, err error) {
	wait := waitSeconds
	var ex executeAnswer
	if err := c.do(ctx, http.MethodPost, "/v1/statements", nil, executeRequest{ExecuteInput: dataapi.ExecuteInput{Sql: sql, WaitTimeSeconds: &wait}, IncludeResult: true}, &ex); err != nil {
		return dataapi.DescribeOutput{}, nil, err
	}
	if ex.Status == dataapi.StatusFinished && ex.Result != nil {
		return dataapi.DescribeOutput{ID: ex.ID, Status: ex.Status, HasResultSet: true}, ex.Result, nil
	}
	q := url.Values{"WaitTimeSeconds": {fmt.Sprint(waitSeconds)}}
	for {
		var d dataapi.DescribeOutput
		if err := c.do(ctx, http.MethodGet, "/v1/statements/"+url.PathEscape(ex.ID), q, nil, &d); err != nil {
			return d, nil, err
		}
		switch d.Status {
		case dataapi.StatusFinished:
			return d, nil, nil
		case dataapi.StatusFailed, dataapi.StatusAborted:
			msg := d.Error
			if msg == "" {
				msg = "statement " + strings.ToLower(d.Status)
			}
			return d, nil, &statementError{msg: msg, sqlState: d.SqlState}
		}
		if err := ctx.Err(); err != nil {
			return d, nil, err
		}
	}
}

// runRemoteScript is runScript over the REST binding: each statement in
// order, the first failure stops the script.
func runRemoteScript(ctx context.Context, c *restClient, script string, w resultWriter) error {
	stmts, err := sqlscan.Split(script)
	if err != nil {
		return fmt.Errorf("ERROR: %w", err)
	}
	for _, st := range stmts {
		d, first, err := c.run(ctx, st.Text)
		if err == nil {
			var rows engine.Rows = &tagRows{tag: commandTag(st.Text), affected: d.ResultRows}
			if d.HasResultSet {
				// The first page is read here (or was in the answer): a
				// writer that sees no columns would not ask for the error.
				rr := &remoteRows{ctx: ctx, c: c, id: d.ID}
				if first != nil {
					rr.use(first)
				} else {
					rr.fetch("")
				}
				rows, err = rr, rr.err
			}
			if err == nil {
				err = w.write(rows)
			}
			rows.Close()
		}
		if err != nil {
			return describeRemote(err, st)
		}
	}
	return w.flush()
}

// describeRemote names the failing statement like describe does locally,
// with the same SQLSTATE line: the same statement reads the same both ways.
func describeRemote(err error, st sqlscan.Statement) error {
	var se *statementError
	var re *restError
	msg := err.Error()
	switch {
	case errors.Is(err, errSessionRefused):
		return err
	case errors.As(err, &se), errors.As(err, &re):
		if !strings.HasPrefix(msg, "ERROR:") {
			msg = "ERROR: " + msg
		}
	default:
		msg = "ERROR: " + msg
	}
	if se != nil && se.sqlState != "" {
		msg += fmt.Sprintf("\nSQLSTATE: %s (%s)", se.sqlState, sqlerr.CodeOfState(se.sqlState))
	}
	return fmt.Errorf("%s\nstatement at line %d: %s", msg, st.Line, asWritten(st.Text))
}

// remoteFlag is --remote: given alone, the server of the stored session
// ('tipgate login'); given a URL (--remote URL or --remote=URL), that
// server, which must be the session's.
type remoteFlag struct {
	set bool
	url string
}

func (r *remoteFlag) String() string {
	if r == nil {
		return ""
	}
	return r.url
}

func (r *remoteFlag) Set(v string) error {
	switch v {
	case "true":
		r.set = true
	case "false":
		r.set, r.url = false, ""
	default:
		r.set, r.url = true, v
	}
	return nil
}

// IsBoolFlag lets --remote stand alone.
func (r *remoteFlag) IsBoolFlag() bool { return true }

// parseFlags parses args, taking a URL right after a bare --remote as its
// value: the flag package ends the flags at the first argument that is not
// one, so "--remote URL -c SQL" would otherwise lose -c.
func parseFlags(fs *flag.FlagSet, args []string, remote *remoteFlag) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if remote.set && remote.url == "" && fs.NArg() > 0 && looksLikeURL(fs.Arg(0)) {
		remote.url = fs.Arg(0)
		return fs.Parse(fs.Args()[1:])
	}
	return nil
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// tagWords continue a command tag after CREATE, DROP, ALTER, ATTACH or
// DETACH ("CREATE RLS POLICY", "ALTER TABLE").
var tagWords = map[string]bool{"rls": true, "masking": true, "policy": true, "table": true, "role": true, "user": true,
	"view": true, "schema": true, "database": true, "group": true, "function": true, "index": true}

// commandTag approximates the engine's command tag from the statement's
// leading keywords: the Data API does not return it.
func commandTag(sql string) string {
	toks, err := sqlscan.Tokens(sql)
	if err != nil || len(toks) == 0 || toks[0].Kind != sqlscan.Ident {
		return "OK"
	}
	words := []string{strings.ToUpper(toks[0].Value)}
	switch words[0] {
	case "CREATE", "DROP", "ALTER", "ATTACH", "DETACH":
		for _, t := range toks[1:] {
			if t.Kind != sqlscan.Ident || !tagWords[t.Value] {
				break
			}
			words = append(words, strings.ToUpper(t.Value))
		}
	}
	return strings.Join(words, " ")
}

// tagRows is the result of a statement without a result set.
type tagRows struct {
	tag      string
	affected int64
}

var _ engine.Rows = (*tagRows)(nil)

func (t *tagRows) Columns() []engine.Column { return nil }
func (t *tagRows) Next() bool               { return false }
func (t *tagRows) Values() []any            { return nil }
func (t *tagRows) Err() error               { return nil }
func (t *tagRows) Close() error             { return nil }
func (t *tagRows) Tag() string              { return t.tag }
func (t *tagRows) RowsAffected() int64      { return t.affected }

// remoteRows pages through a statement's result as engine.Rows, fetching
// the next page when the current one is used up.
type remoteRows struct {
	ctx     context.Context
	c       *restClient
	id      string
	started bool
	cols    []engine.Column
	page    [][]dataapi.Field
	next    string // NextToken of the page after this one
	i       int
	vals    []any
	err     error
}

var _ engine.Rows = (*remoteRows)(nil)

func (r *remoteRows) fetch(token string) bool {
	q := url.Values{}
	if token != "" {
		q.Set("NextToken", token)
	}
	var res dataapi.ResultOutput
	if err := r.c.do(r.ctx, http.MethodGet, "/v1/statements/"+url.PathEscape(r.id)+"/result", q, nil, &res); err != nil {
		r.err = err
		return false
	}
	r.use(&res)
	return true
}

// use makes res the current page.
func (r *remoteRows) use(res *dataapi.ResultOutput) {
	if !r.started {
		r.started = true
		for _, m := range res.ColumnMetadata {
			r.cols = append(r.cols, engine.Column{Name: m.Name, Type: m.ColumnType()})
		}
	}
	r.page, r.next, r.i = res.Records, res.NextToken, 0
}

// Columns fetches the first page if needed: the writers ask for the
// columns before the rows.
func (r *remoteRows) Columns() []engine.Column {
	if !r.started && r.err == nil {
		r.fetch("")
	}
	return r.cols
}

func (r *remoteRows) Next() bool {
	if r.err != nil {
		return false
	}
	if !r.started && !r.fetch("") {
		return false
	}
	for r.i >= len(r.page) {
		if r.next == "" || !r.fetch(r.next) {
			return false
		}
	}
	rec := r.page[r.i]
	r.i++
	if len(rec) != len(r.cols) {
		r.err = fmt.Errorf("the server sent a record of %d fields for %d columns", len(rec), len(r.cols))
		return false
	}
	r.vals = make([]any, len(rec))
	for i, f := range rec {
		if r.vals[i], r.err = fieldValue(f, r.cols[i].Type.Kind); r.err != nil {
			return false
		}
	}
	return true
}

func (r *remoteRows) Values() []any       { return r.vals }
func (r *remoteRows) Err() error          { return r.err }
func (r *remoteRows) Close() error        { return nil }
func (r *remoteRows) Tag() string         { return "SELECT" }
func (r *remoteRows) RowsAffected() int64 { return -1 }

// fieldValue decodes a Data API Field union into the Go value the engine
// would have produced. DECIMAL, dates and timestamps arrive as strings and
// stay strings, rendered exactly as the server rendered them.
func fieldValue(f dataapi.Field, kind engine.TypeKind) (any, error) {
	switch {
	case f.IsNull != nil && *f.IsNull:
		return nil, nil
	case f.BooleanValue != nil:
		return *f.BooleanValue, nil
	case f.LongValue != nil:
		return *f.LongValue, nil
	case f.DoubleValue != nil:
		return *f.DoubleValue, nil
	case f.StringValue != nil:
		return *f.StringValue, nil
	case f.BlobValue != nil:
		return f.BlobValue, nil
	case kind == engine.TypeVarbyte:
		// An empty blob is encoded as a field with no members.
		return []byte{}, nil
	}
	return nil, errors.New("the server sent a field with no value")
}

// runRemoteSQL is 'tipgate sql --remote [URL]'; remote "" is the stored
// session's server.
func runRemoteSQL(ctx context.Context, remote, script string, w resultWriter, stderr io.Writer) error {
	c, err := openSession(remote)
	if err != nil {
		return err
	}
	if err := runRemoteScript(ctx, c, script, w); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError{code: 1}
	}
	return nil
}
