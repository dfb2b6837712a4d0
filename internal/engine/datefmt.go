package engine

import (
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// DateFormatElement is one element of a Redshift datetime format (COPY's
// TIMEFORMAT and DATEFORMAT): YYYY, YY, MM, DD, HH24, HH12, MI, SS, AM, PM
// or MON. HH alone is HH24, as in Redshift.
type DateFormatElement string

// ConvertDateFormat spells a Redshift datetime format ('YYYY-MM-DD
// HH24:MI:SS') in an engine's own form: spell gives each element's
// spelling and escape a literal character's (nil keeps it as is). Letters,
// digits, quotes and backslashes outside an element are refused, rather than
// let the engine read them as its own pattern; option names the COPY option
// in the error.
func ConvertDateFormat(f, option string, spell map[DateFormatElement]string, escape func(byte) string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		if el, n := dateFormatElement(f[i:]); n > 0 {
			s, ok := spell[el]
			if !ok {
				return "", sqlerr.New(sqlerr.InvalidParameter, "unsupported %s %q", option, f)
			}
			b.WriteString(s)
			i += n
			continue
		}
		ch := f[i]
		if (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '"' || ch == '\\' {
			return "", sqlerr.New(sqlerr.InvalidParameter, "unsupported %s %q", option, f)
		}
		if escape != nil {
			b.WriteString(escape(ch))
		} else {
			b.WriteByte(ch)
		}
		i++
	}
	return b.String(), nil
}

// dateFormatElements is in match order: longer spellings first.
var dateFormatElements = []struct {
	text string
	el   DateFormatElement
}{
	{"YYYY", "YYYY"}, {"YY", "YY"}, {"MM", "MM"}, {"DD", "DD"}, {"HH24", "HH24"}, {"HH12", "HH12"}, {"HH", "HH24"},
	{"MI", "MI"}, {"SS", "SS"}, {"AM", "AM"}, {"PM", "PM"}, {"MON", "MON"},
}

// dateFormatElement returns the element s starts with and its length, or 0.
func dateFormatElement(s string) (DateFormatElement, int) {
	up := strings.ToUpper(s[:min(len(s), 4)])
	for _, e := range dateFormatElements {
		if strings.HasPrefix(up, e.text) {
			return e.el, len(e.text)
		}
	}
	return "", 0
}
