package awsapi

import (
	"encoding/json"
	"strings"
)

// Target is the warehouse the binding answers for, as clients name it:
// one Redshift Serverless workgroup with one database. tipgate is no
// provisioned cluster, so a ClusterIdentifier names nothing here.
type Target struct {
	// AccountID, when set, is the account a workgroup ARN must carry.
	AccountID string
	Workgroup string
	Database  string
}

// targetOperations are the operations that connect to a database, each of
// which names the workgroup (or cluster) and the database.
var targetOperations = map[string]bool{"ExecuteStatement": true, "BatchExecuteStatement": true, "ListDatabases": true,
	"ListSchemas": true, "ListTables": true, "DescribeTable": true}

// Redshift's words for a request that names no warehouse, or one that
// does not exist (its ExecuteStatement answers an unknown cluster or
// workgroup so, without repeating the name).
const (
	msgNoEndpoint = "Either ClusterIdentifier or WorkgroupName needs to be specified."
	msgNoSuchEnd  = "Redshift endpoint doesn't exist in this region."
)

// check refuses a request for an operation in targetOperations that does
// not name this workgroup and database, as Redshift refuses one naming a
// workgroup or database it does not have: an application with a mistyped
// name fails here as it would on AWS. A zero Target checks nothing.
func (t Target) check(op string, body []byte) *apiError {
	if t.Workgroup == "" || !targetOperations[op] {
		return nil
	}
	var in struct {
		ClusterIdentifier *string `json:"ClusterIdentifier"`
		WorkgroupName     *string `json:"WorkgroupName"`
		Database          *string `json:"Database"`
	}
	if json.Unmarshal(body, &in) != nil {
		return nil // the operation's own decoding names the problem
	}
	switch {
	case in.ClusterIdentifier == nil && in.WorkgroupName == nil:
		return errValidation(msgNoEndpoint)
	case in.ClusterIdentifier != nil, !t.isWorkgroup(*in.WorkgroupName):
		return errValidation(msgNoSuchEnd)
	case in.Database != nil && *in.Database != t.Database:
		return errValidation(`FATAL: database "` + truncate(*in.Database, 64) + `" does not exist`)
	}
	return nil
}

// isWorkgroup accepts the workgroup's name or an ARN of it
// (arn:aws:redshift-serverless:REGION:ACCOUNT:workgroup/NAME).
func (t Target) isWorkgroup(s string) bool {
	if s == t.Workgroup {
		return true
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "redshift-serverless" {
		return false
	}
	if t.AccountID != "" && parts[4] != t.AccountID {
		return false
	}
	return parts[5] == "workgroup/"+t.Workgroup
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
