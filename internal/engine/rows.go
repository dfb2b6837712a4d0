package engine

// tagOnly is the result of a statement that returns no rows.
type tagOnly struct {
	tag      string
	affected int64
}

// TagRows returns an empty result with a command tag and a count (-1 when
// nothing is counted).
func TagRows(tag string, affected int64) Rows { return &tagOnly{tag: tag, affected: affected} }

func (t *tagOnly) Columns() []Column   { return nil }
func (t *tagOnly) Next() bool          { return false }
func (t *tagOnly) Values() []any       { return nil }
func (t *tagOnly) Err() error          { return nil }
func (t *tagOnly) Close() error        { return nil }
func (t *tagOnly) Tag() string         { return t.tag }
func (t *tagOnly) RowsAffected() int64 { return t.affected }
