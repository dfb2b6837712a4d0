package trino

// SetAfterDDL makes f run between the Trino half and the catalog half of
// every table DDL: an error from f stands for tipgate stopping there
// (crash: nothing is reconciled until the next Open or commit) or, with
// crash false, for a failure the commit reports (it reconciles at once).
func SetAfterDDL(e *Engine, f func() error, crash bool) {
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	e.testAfterDDL = f
	e.testCrash = crash
}

// Pending lists the tables of interrupted DDL the engine refuses.
func Pending(e *Engine) []string {
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	var out []string
	for n := range e.pending {
		out = append(out, n)
	}
	return out
}
