package engine

import (
	"strings"
	"sync"
)

// datePartNames maps every date and time part name and abbreviation
// Redshift accepts (DATE_PART, EXTRACT, DATEADD, DATEDIFF, DATE_TRUNC) to
// one canonical name. Built once, never written after.
var datePartNames = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for canonical, names := range map[string][]string{
		"millennium":  {"millennium", "millennia", "millenniums", "mil", "mils"},
		"century":     {"century", "centuries", "c", "cent", "cents"},
		"decade":      {"decade", "decades", "dec", "decs"},
		"epoch":       {"epoch"},
		"year":        {"year", "years", "y", "yr", "yrs"},
		"quarter":     {"quarter", "quarters", "qtr", "qtrs"},
		"month":       {"month", "months", "mon", "mons"},
		"week":        {"week", "weeks", "w"},
		"dow":         {"dayofweek", "dow", "dw", "weekday"},
		"doy":         {"dayofyear", "doy", "dy", "yearday"},
		"day":         {"day", "days", "d"},
		"hour":        {"hour", "hours", "h", "hr", "hrs"},
		"minute":      {"minute", "minutes", "m", "min", "mins"},
		"second":      {"second", "seconds", "s", "sec", "secs"},
		"millisecond": {"millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds", "millisec", "millisecs", "millisecon"},
		"microsecond": {"microsecond", "microseconds", "microsec", "microsecs", "usecond", "useconds", "us", "usec", "usecs"},
		"timezone":    {"timezone"}, "timezone_hour": {"timezone_hour"}, "timezone_minute": {"timezone_minute"},
	} {
		for _, n := range names {
			out[n] = canonical
		}
	}
	return out
})

// DatePart returns the canonical name of a Redshift date part as spelt
// (any case, surrounding blanks ignored): "yrs" is "year", "msec"
// "millisecond". Each engine maps the canonical names it spells otherwise.
func DatePart(spelled string) (string, bool) {
	p, ok := datePartNames()[strings.ToLower(strings.TrimSpace(spelled))]
	return p, ok
}
