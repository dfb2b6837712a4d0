package dataapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
)

// Describe is DescribeStatement; a batch sub-statement id describes the batch
// entry alone, as Redshift does.
func (s *Service) Describe(ctx context.Context, p identity.Principal, id string, waitSeconds int) (*DescribeOutput, error) {
	st, subNo, err := s.lookup(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if waitSeconds > 30 || waitSeconds < 0 {
		return nil, validation("WaitTimeSeconds must be between 0 and 30")
	}
	if waitSeconds > 0 {
		st = s.waitFor(ctx, st, time.Duration(waitSeconds)*time.Second)
	}
	d := st.describe()
	if subNo > 0 {
		sd := st.subs[subNo-1].data()
		d.ID, d.Status, d.QueryString, d.Duration, d.Error = sd.ID, sd.Status, sd.QueryString, sd.Duration, sd.Error
		d.CreatedAt, d.UpdatedAt, d.ResultRows, d.ResultSize, d.HasResultSet = sd.CreatedAt, sd.UpdatedAt, sd.ResultRows, sd.ResultSize, sd.HasResultSet
		d.SubStatements = nil
	}
	return &d, nil
}

// result returns the finished result of a statement id (a sub id for a batch).
func (s *Service) result(ctx context.Context, p identity.Principal, id string, first bool, waitSeconds int) (*statement, *result, error) {
	st, subNo, err := s.lookupPage(ctx, p, id, first)
	if err != nil {
		return nil, nil, err
	}
	if waitSeconds > 30 || waitSeconds < 0 {
		return nil, nil, validation("WaitTimeSeconds must be between 0 and 30")
	}
	if waitSeconds > 0 {
		st = s.waitFor(ctx, st, time.Duration(waitSeconds)*time.Second)
	}
	if st.batch && subNo == 0 {
		return nil, nil, validation("%s is a batch: ask for the result of a sub-statement (%s:1 ...)", id, id)
	}
	sub := st.subs[0]
	if subNo > 0 {
		sub = st.subs[subNo-1]
	}
	sd := sub.data()
	if sd.Status != StatusFinished {
		return nil, nil, validation("Query has not finished or was not successful; its status is %s.", sd.Status)
	}
	sub.mu.Lock()
	res := sub.result
	sub.mu.Unlock()
	if res == nil {
		return nil, nil, validation("Query does not have a result set.")
	}
	return st, res, nil
}

// ResultPage is GetStatementResult (csv false: JSON results) or
// GetStatementResultV2 (csv true: CSV results, one CSV chunk per page
// without a header line) as the bindings write it. The caller releases the
// page.
func (s *Service) ResultPage(ctx context.Context, p identity.Principal, id, nextToken string, waitSeconds int, csv bool) (*ResultPage, error) {
	_, res, err := s.result(ctx, p, id, nextToken == "", waitSeconds)
	if err != nil {
		return nil, err
	}
	switch {
	case csv && res.format != "CSV":
		return nil, validation("the statement was run with ResultFormat JSON: use GetStatementResult")
	case !csv && res.format == "CSV":
		return nil, validation("the statement was run with ResultFormat CSV: use GetStatementResultV2")
	}
	page, err := s.pageFrom(p, id, nextToken, res.pages)
	if err != nil {
		return nil, err
	}
	out := &ResultPage{res: res, csv: csv, pools: &s.pages}
	if page < res.pages {
		if out.rec, out.stored, err = res.batch(ctx, page, &s.pages); err != nil {
			return nil, &Error{Kind: InternalServer, Message: "the result could not be read", Err: err}
		}
	}
	if page+1 < res.pages {
		out.next = s.token(p, id, page+1)
	}
	return out, nil
}

// GetResult is GetStatementResult (JSON results), decoded into Fields for
// in-process callers; the bindings write ResultPage instead.
func (s *Service) GetResult(ctx context.Context, p identity.Principal, id, nextToken string, waitSeconds int) (*ResultOutput, error) {
	page, err := s.ResultPage(ctx, p, id, nextToken, waitSeconds, false)
	if err != nil {
		return nil, err
	}
	defer page.Release()
	return &ResultOutput{Records: page.fields(), ColumnMetadata: page.res.columns, TotalNumRows: page.res.rows, NextToken: page.next}, nil
}

// GetResultV2 is GetStatementResultV2 (CSV results): one CSV chunk per page,
// without a header line.
func (s *Service) GetResultV2(ctx context.Context, p identity.Principal, id, nextToken string, waitSeconds int) (*ResultV2Output, error) {
	page, err := s.ResultPage(ctx, p, id, nextToken, waitSeconds, true)
	if err != nil {
		return nil, err
	}
	defer page.Release()
	out := &ResultV2Output{Records: []CSVRecords{}, ColumnMetadata: page.res.columns, TotalNumRows: page.res.rows, ResultFormat: "CSV", NextToken: page.next}
	if page.rec != nil && page.rec.NumRows() > 0 {
		out.Records = append(out.Records, CSVRecords{CSVRecords: string(page.csvChunk(nil))})
	}
	return out, nil
}

// token makes an opaque NextToken bound to the owner, the statement and
// the page: it is useless to anyone else and for any other statement.
func (s *Service) token(p identity.Principal, id string, page int) string {
	payload := id + "|" + strconv.Itoa(page)
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte(owner(p) + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Service) pageFrom(p identity.Principal, id, tok string, pages int) (int, error) {
	if tok == "" {
		return 0, nil
	}
	bad := validation("NextToken is not valid for this statement")
	enc, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return 0, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return 0, bad
	}
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte(owner(p) + "\x00" + string(raw)))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return 0, bad
	}
	tid, pageStr, ok := strings.Cut(string(raw), "|")
	page, err := strconv.Atoi(pageStr)
	if !ok || err != nil || tid != id || page < 0 || page >= pages {
		return 0, bad
	}
	return page, nil
}

// Cancel is CancelStatement.
func (s *Service) Cancel(ctx context.Context, p identity.Principal, id string) (bool, error) {
	st, subNo, err := s.lookup(ctx, p, id)
	if err != nil {
		return false, err
	}
	if subNo > 0 {
		return false, validation("cancel the batch %s, not one of its sub-statements", st.id)
	}
	if st.remote {
		return s.cancelShared(ctx, st)
	}
	if s.opts.Store != nil {
		// Ended in the store first: a replica describing it sees ABORTED
		// at once, and the run's own end cannot overwrite it.
		if _, err := s.opts.Store.Statements().Abort(ctx, st.id, s.opts.Clock()); err != nil {
			return false, storeError(err)
		}
	}
	if !st.abort(s.opts.Clock()) {
		return false, validation("Could not cancel a query that is already in %s state.", st.describe().Status)
	}
	s.ended(st)
	return true, nil
}

// List is ListStatements: the caller's own statements, newest first.
func (s *Service) List(ctx context.Context, p identity.Principal, in ListInput) (*ListOutput, error) {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, validation("MaxResults must be between 0 and 100")
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	status := in.Status
	if status == "" {
		status = StatusAll
	}
	switch status {
	case StatusAll, StatusSubmitted, StatusPicked, StatusStarted, StatusFinished, StatusAborted, StatusFailed:
	default:
		return nil, validation("Status %q is not one of SUBMITTED, PICKED, STARTED, FINISHED, ABORTED, FAILED, ALL", in.Status)
	}
	own := owner(p)
	var mine []*statement
	if s.opts.Store != nil {
		var err error
		if mine, err = s.listShared(ctx, own, in.StatementName); err != nil {
			return nil, err
		}
	} else {
		s.mu.Lock()
		s.expireLocked(s.opts.Clock())
		for _, st := range s.stmts {
			if st.owner == own && strings.HasPrefix(st.in.StatementName, in.StatementName) {
				mine = append(mine, st)
			}
		}
		s.mu.Unlock()
	}
	slices.SortFunc(mine, func(a, b *statement) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	var all []StatementData
	for _, st := range mine {
		d := st.describe()
		if status != StatusAll && d.Status != status {
			continue
		}
		sd := StatementData{ID: st.id, Status: d.Status, StatementName: st.in.StatementName, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
			QueryParameters: st.in.Parameters, IsBatchStatement: st.batch, ResultFormat: resultFormat(st.in.ResultFormat), SessionID: st.in.SessionID}
		if st.batch {
			sd.QueryStrings = st.queryStrings()
		} else {
			sd.QueryString = st.subs[0].sql
		}
		all = append(all, sd)
	}
	start, err := s.pageFrom(p, "list", in.NextToken, (len(all)+limit-1)/limit+1)
	if err != nil {
		return nil, err
	}
	from := start * limit
	out := &ListOutput{Statements: []StatementData{}}
	if from < len(all) {
		to := min(from+limit, len(all))
		out.Statements = all[from:to]
		if to < len(all) {
			out.NextToken = s.token(p, "list", start+1)
		}
	}
	return out, nil
}

// ListDatabases lists the one database.
func (s *Service) ListDatabases(context.Context, identity.Principal) []string {
	return []string{policy.DatabaseName}
}

// ListSchemas lists the schemas matching a LIKE pattern.
func (s *Service) ListSchemas(_ context.Context, _ identity.Principal, pattern string) []string {
	if pattern != "" && !likeMatch(pattern, "public") {
		return []string{}
	}
	return []string{"public"}
}

// ListTables lists the tables the principal may read (SELECT on the table
// or any column); others are not listed at all. The engine decides.
func (s *Service) ListTables(ctx context.Context, p identity.Principal, schemaPattern, tablePattern string) ([]TableMember, error) {
	out := []TableMember{}
	if schemaPattern != "" && !likeMatch(schemaPattern, "public") {
		return out, nil
	}
	tables, err := s.eng.Tables(ctx, p)
	if err != nil {
		return nil, engineError(err)
	}
	for _, t := range tables {
		if tablePattern == "" || likeMatch(tablePattern, t.Name) {
			out = append(out, TableMember{Name: t.Name, Schema: "public", Type: "TABLE"})
		}
	}
	return out, nil
}

// DescribeTable describes the columns the principal may read; a table it
// may not read does not exist for it.
func (s *Service) DescribeTable(ctx context.Context, p identity.Principal, schema, table string) ([]ColumnMetadata, error) {
	if schema != "" && schema != "public" {
		return nil, notFound(schema + "." + table)
	}
	tables, err := s.eng.Tables(ctx, p)
	if err != nil {
		return nil, engineError(err)
	}
	for _, t := range tables {
		if !strings.EqualFold(t.Name, table) {
			continue
		}
		out := columnMetadata(t.Columns)
		for i := range out {
			out[i].SchemaName, out[i].TableName = "public", t.Name
		}
		return out, nil
	}
	return nil, notFound(table)
}

// likeMatch matches a SQL LIKE pattern (% any run, _ one character).
func likeMatch(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	ok, err := regexp.MatchString(b.String(), s)
	return err == nil && ok
}

// Identity is what the caller is in the warehouse.
type Identity struct {
	User      string   `json:"User"`
	Email     string   `json:"Email,omitempty"`
	Namespace string   `json:"Namespace,omitempty"`
	Groups    []string `json:"Groups"`
	Roles     []string `json:"Roles"`
	Issuer    string   `json:"Issuer,omitempty"`
	Superuser bool     `json:"Superuser"`
	SecAdmin  bool     `json:"SecAdmin"`
	IgnoreRLS bool     `json:"IgnoreRLS"`
}

// WhoAmI resolves the caller as the engine sees it.
func (s *Service) WhoAmI(ctx context.Context, p identity.Principal) (Identity, error) {
	d, err := s.eng.Decide(ctx, p)
	if err != nil {
		return Identity{}, engineError(err)
	}
	sub := d.Subject
	out := Identity{User: p.User, Email: p.Email, Namespace: p.Namespace, Groups: p.Groups, Roles: sub.Roles, Issuer: p.Issuer,
		Superuser: sub.Superuser, SecAdmin: sub.SecAdmin, IgnoreRLS: sub.IgnoreRLS}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	if out.Roles == nil {
		out.Roles = []string{}
	}
	return out, nil
}

// Decision is the engine's decision for p: its subject, what it may read
// of every table and the key of its policy context. The dashboard builds
// "Your access" and keys its cache with it.
func (s *Service) Decision(ctx context.Context, p identity.Principal) (engine.Decision, error) {
	d, err := s.eng.Decide(ctx, p)
	if err != nil {
		return engine.Decision{}, engineError(err)
	}
	return d, nil
}
