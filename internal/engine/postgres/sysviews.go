package postgres

import (
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// systemViews returns the router's system views as sub may see them.
func (e *Engine) systemViews(cat *policy.Catalog, sub policy.Subject) map[string]engine.SystemView {
	out := map[string]engine.SystemView{}
	for _, v := range e.opts.System.Views(cat, sub, func(t string) bool {
		a, ok := cat.Decide(sub, t)
		return ok && a.Visible
	}) {
		out[v.Name] = v
	}
	// Views gives the dynamic ones their columns only; this is built when a
	// statement names a system view, so their rows are read now.
	for _, name := range engine.DynamicSystemViews() {
		if v, ok := e.opts.System.Dynamic(cat, sub, name); ok {
			out[name] = v
		}
	}
	return out
}

func pgTypeOf(t engine.Type) string {
	switch t.Kind {
	case engine.TypeVarbyte:
		return "bytea"
	case engine.TypeSuper, engine.TypeUnknown:
		return "text"
	}
	return t.Name()
}
