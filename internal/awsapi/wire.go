package awsapi

import (
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
)

// epochTime is a timestamp on the awsJson1_1 wire: epoch seconds with
// milliseconds, as encodeGeneric writes every CreatedAt and UpdatedAt.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) { return []byte(epochSeconds(time.Time(t))), nil }

// The wire forms of the statement outputs: the dataapi types' members,
// names and omitempty rules, with epochTime for their timestamps.
// TestWireTypesMirror holds them to the dataapi types field by field, and
// TestEncodeMatchesGeneric to encodeGeneric's bytes.

type executeOutputWire struct {
	ID                string    `json:"Id"`
	CreatedAt         epochTime `json:"CreatedAt"`
	ClusterIdentifier string    `json:"ClusterIdentifier,omitempty"`
	WorkgroupName     string    `json:"WorkgroupName,omitempty"`
	Database          string    `json:"Database,omitempty"`
	DbUser            string    `json:"DbUser,omitempty"`
	DbGroups          []string  `json:"DbGroups,omitempty"`
	SessionID         string    `json:"SessionId,omitempty"`
	Status            string    `json:"Status,omitempty"`
	HasResultSet      *bool     `json:"HasResultSet,omitempty"`
}

func executeWire(o *dataapi.ExecuteOutput) *executeOutputWire {
	return &executeOutputWire{ID: o.ID, CreatedAt: epochTime(o.CreatedAt), ClusterIdentifier: o.ClusterIdentifier, WorkgroupName: o.WorkgroupName,
		Database: o.Database, DbUser: o.DbUser, DbGroups: o.DbGroups, SessionID: o.SessionID, Status: o.Status, HasResultSet: o.HasResultSet}
}

type subStatementWire struct {
	ID              string    `json:"Id"`
	Status          string    `json:"Status"`
	QueryString     string    `json:"QueryString"`
	Duration        int64     `json:"Duration"`
	Error           string    `json:"Error,omitempty"`
	SqlState        string    `json:"SqlState,omitempty"`
	CreatedAt       epochTime `json:"CreatedAt"`
	UpdatedAt       epochTime `json:"UpdatedAt"`
	ResultRows      int64     `json:"ResultRows"`
	ResultSize      int64     `json:"ResultSize"`
	HasResultSet    bool      `json:"HasResultSet"`
	RedshiftQueryID int64     `json:"RedshiftQueryId"`
}

type describeOutputWire struct {
	ID                string              `json:"Id"`
	Status            string              `json:"Status"`
	QueryString       string              `json:"QueryString,omitempty"`
	QueryParameters   []dataapi.Parameter `json:"QueryParameters,omitempty"`
	Duration          int64               `json:"Duration"`
	Error             string              `json:"Error,omitempty"`
	SqlState          string              `json:"SqlState,omitempty"`
	CreatedAt         epochTime           `json:"CreatedAt"`
	UpdatedAt         epochTime           `json:"UpdatedAt"`
	ResultRows        int64               `json:"ResultRows"`
	ResultSize        int64               `json:"ResultSize"`
	HasResultSet      bool                `json:"HasResultSet"`
	RedshiftPid       int64               `json:"RedshiftPid"`
	RedshiftQueryID   int64               `json:"RedshiftQueryId"`
	ResultFormat      string              `json:"ResultFormat,omitempty"`
	SessionID         string              `json:"SessionId,omitempty"`
	SubStatements     []subStatementWire  `json:"SubStatements,omitempty"`
	Database          string              `json:"Database,omitempty"`
	DbUser            string              `json:"DbUser,omitempty"`
	ClusterIdentifier string              `json:"ClusterIdentifier,omitempty"`
	WorkgroupName     string              `json:"WorkgroupName,omitempty"`
}

func describeWire(o *dataapi.DescribeOutput) *describeOutputWire {
	w := &describeOutputWire{ID: o.ID, Status: o.Status, QueryString: o.QueryString, QueryParameters: o.QueryParameters, Duration: o.Duration,
		Error: o.Error, SqlState: o.SqlState, CreatedAt: epochTime(o.CreatedAt), UpdatedAt: epochTime(o.UpdatedAt), ResultRows: o.ResultRows,
		ResultSize: o.ResultSize, HasResultSet: o.HasResultSet, RedshiftPid: o.RedshiftPid, RedshiftQueryID: o.RedshiftQueryID,
		ResultFormat: o.ResultFormat, SessionID: o.SessionID, Database: o.Database, DbUser: o.DbUser, ClusterIdentifier: o.ClusterIdentifier,
		WorkgroupName: o.WorkgroupName}
	for _, s := range o.SubStatements {
		w.SubStatements = append(w.SubStatements, subStatementWire{ID: s.ID, Status: s.Status, QueryString: s.QueryString, Duration: s.Duration,
			Error: s.Error, SqlState: s.SqlState, CreatedAt: epochTime(s.CreatedAt), UpdatedAt: epochTime(s.UpdatedAt), ResultRows: s.ResultRows,
			ResultSize: s.ResultSize, HasResultSet: s.HasResultSet, RedshiftQueryID: s.RedshiftQueryID})
	}
	return w
}
