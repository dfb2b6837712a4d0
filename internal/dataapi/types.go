package dataapi

import "time"

// Status values of a statement (StatusString in the Data API model).
const (
	StatusSubmitted = "SUBMITTED"
	StatusPicked    = "PICKED"
	StatusStarted   = "STARTED"
	StatusFinished  = "FINISHED"
	StatusAborted   = "ABORTED"
	StatusFailed    = "FAILED"
	StatusAll       = "ALL"
)

// Parameter is a named bind value; values are strings, cast by the engine.
type Parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Connection are the fields that name the warehouse.
type Connection struct {
	ClusterIdentifier string `json:"ClusterIdentifier,omitempty"`
	WorkgroupName     string `json:"WorkgroupName,omitempty"`
	Database          string `json:"Database,omitempty"`
	DbUser            string `json:"DbUser,omitempty"`
	SecretArn         string `json:"SecretArn,omitempty"`
}

// ExecuteInput is ExecuteStatement's and (with Sqls) BatchExecuteStatement's input.
type ExecuteInput struct {
	Connection
	Sql                     string      `json:"Sql,omitempty"`
	Sqls                    []string    `json:"Sqls,omitempty"`
	StatementName           string      `json:"StatementName,omitempty"`
	Parameters              []Parameter `json:"Parameters,omitempty"`
	ClientToken             string      `json:"ClientToken,omitempty"`
	ResultFormat            string      `json:"ResultFormat,omitempty"`
	WithEvent               bool        `json:"WithEvent,omitempty"`
	SessionKeepAliveSeconds *int        `json:"SessionKeepAliveSeconds,omitempty"`
	SessionID               string      `json:"SessionId,omitempty"`
	WaitTimeSeconds         *int        `json:"WaitTimeSeconds,omitempty"`
	// ExecutionMode is TRANSACTION (default: the batch commits or rolls
	// back as one) or AUTO_COMMIT (each statement commits on its own).
	ExecutionMode string `json:"ExecutionMode,omitempty"`
}

// ExecuteOutput is ExecuteStatement's output.
type ExecuteOutput struct {
	ID                string    `json:"Id"`
	CreatedAt         time.Time `json:"CreatedAt"`
	ClusterIdentifier string    `json:"ClusterIdentifier,omitempty"`
	WorkgroupName     string    `json:"WorkgroupName,omitempty"`
	Database          string    `json:"Database,omitempty"`
	DbUser            string    `json:"DbUser,omitempty"`
	DbGroups          []string  `json:"DbGroups,omitempty"`
	SessionID         string    `json:"SessionId,omitempty"`
	Status            string    `json:"Status,omitempty"`
	HasResultSet      *bool     `json:"HasResultSet,omitempty"`
}

// SubStatement describes one statement of a batch.
type SubStatement struct {
	ID              string    `json:"Id"`
	Status          string    `json:"Status"`
	QueryString     string    `json:"QueryString"`
	Duration        int64     `json:"Duration"`
	Error           string    `json:"Error,omitempty"`
	SqlState        string    `json:"SqlState,omitempty"`
	CreatedAt       time.Time `json:"CreatedAt"`
	UpdatedAt       time.Time `json:"UpdatedAt"`
	ResultRows      int64     `json:"ResultRows"`
	ResultSize      int64     `json:"ResultSize"`
	HasResultSet    bool      `json:"HasResultSet"`
	RedshiftQueryID int64     `json:"RedshiftQueryId"`
}

// DescribeOutput is DescribeStatement's output.
type DescribeOutput struct {
	ID                string         `json:"Id"`
	Status            string         `json:"Status"`
	QueryString       string         `json:"QueryString,omitempty"`
	QueryParameters   []Parameter    `json:"QueryParameters,omitempty"`
	Duration          int64          `json:"Duration"`
	Error             string         `json:"Error,omitempty"`
	SqlState          string         `json:"SqlState,omitempty"` // tipgate's addition: Error's SQLSTATE (see failure)
	CreatedAt         time.Time      `json:"CreatedAt"`
	UpdatedAt         time.Time      `json:"UpdatedAt"`
	ResultRows        int64          `json:"ResultRows"`
	ResultSize        int64          `json:"ResultSize"`
	HasResultSet      bool           `json:"HasResultSet"`
	RedshiftPid       int64          `json:"RedshiftPid"`
	RedshiftQueryID   int64          `json:"RedshiftQueryId"`
	ResultFormat      string         `json:"ResultFormat,omitempty"`
	SessionID         string         `json:"SessionId,omitempty"`
	SubStatements     []SubStatement `json:"SubStatements,omitempty"`
	Database          string         `json:"Database,omitempty"`
	DbUser            string         `json:"DbUser,omitempty"`
	ClusterIdentifier string         `json:"ClusterIdentifier,omitempty"`
	WorkgroupName     string         `json:"WorkgroupName,omitempty"`
}

// Field is one value in a record: exactly one member is set.
type Field struct {
	IsNull       *bool    `json:"isNull,omitempty"`
	BooleanValue *bool    `json:"booleanValue,omitempty"`
	LongValue    *int64   `json:"longValue,omitempty"`
	DoubleValue  *float64 `json:"doubleValue,omitempty"`
	StringValue  *string  `json:"stringValue,omitempty"`
	BlobValue    []byte   `json:"blobValue,omitempty"`
}

// ColumnMetadata describes a result column.
type ColumnMetadata struct {
	IsCaseSensitive bool   `json:"isCaseSensitive"`
	IsCurrency      bool   `json:"isCurrency"`
	IsSigned        bool   `json:"isSigned"`
	Label           string `json:"label"`
	Name            string `json:"name"`
	Nullable        int    `json:"nullable"`
	Precision       int    `json:"precision"`
	Scale           int    `json:"scale"`
	SchemaName      string `json:"schemaName"`
	TableName       string `json:"tableName"`
	TypeName        string `json:"typeName"`
	Length          int    `json:"length"`
	ColumnDefault   string `json:"columnDefault,omitempty"`
}

// ResultOutput is GetStatementResult's output.
type ResultOutput struct {
	Records        [][]Field        `json:"Records"`
	ColumnMetadata []ColumnMetadata `json:"ColumnMetadata"`
	TotalNumRows   int64            `json:"TotalNumRows"`
	NextToken      string           `json:"NextToken,omitempty"`
}

// CSVRecords is one member of GetStatementResultV2's Records union.
type CSVRecords struct {
	CSVRecords string `json:"CSVRecords"`
}

// ResultV2Output is GetStatementResultV2's output.
type ResultV2Output struct {
	Records        []CSVRecords     `json:"Records"`
	ColumnMetadata []ColumnMetadata `json:"ColumnMetadata"`
	TotalNumRows   int64            `json:"TotalNumRows"`
	ResultFormat   string           `json:"ResultFormat"`
	NextToken      string           `json:"NextToken,omitempty"`
}

// StatementData is one entry of ListStatements.
type StatementData struct {
	ID               string      `json:"Id"`
	QueryString      string      `json:"QueryString,omitempty"`
	QueryStrings     []string    `json:"QueryStrings,omitempty"`
	Status           string      `json:"Status"`
	StatementName    string      `json:"StatementName,omitempty"`
	CreatedAt        time.Time   `json:"CreatedAt"`
	UpdatedAt        time.Time   `json:"UpdatedAt"`
	QueryParameters  []Parameter `json:"QueryParameters,omitempty"`
	IsBatchStatement bool        `json:"IsBatchStatement"`
	ResultFormat     string      `json:"ResultFormat,omitempty"`
	SessionID        string      `json:"SessionId,omitempty"`
}

// ListInput is ListStatements' input.
type ListInput struct {
	NextToken     string `json:"NextToken,omitempty"`
	MaxResults    int    `json:"MaxResults,omitempty"`
	StatementName string `json:"StatementName,omitempty"`
	Status        string `json:"Status,omitempty"`
	RoleLevel     *bool  `json:"RoleLevel,omitempty"`
}

// ListOutput is ListStatements' output.
type ListOutput struct {
	Statements []StatementData `json:"Statements"`
	NextToken  string          `json:"NextToken,omitempty"`
}

// TableMember is one table of ListTables.
type TableMember struct {
	Name   string `json:"name"`
	Schema string `json:"schema"`
	Type   string `json:"type"`
}
