package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

func TestConvertDateFormat(t *testing.T) {
	spell := map[DateFormatElement]string{"YYYY": "<Y>", "YY": "<y>", "MM": "<m>", "DD": "<d>", "HH24": "<H>", "HH12": "<I>", "MI": "<M>", "SS": "<S>", "AM": "<p>", "PM": "<P>"}
	pct := func(ch byte) string {
		if ch == '%' {
			return "%%"
		}
		return string(ch)
	}
	for _, tc := range []struct {
		in, want string
		escape   func(byte) string
	}{
		{"YYYY-MM-DD HH24:MI:SS", "<Y>-<m>-<d> <H>:<M>:<S>", nil},
		{"dd/mm/yy hh:mi am", "<d>/<m>/<y> <H>:<M> <p>", nil}, // case-insensitive; HH alone is HH24
		{"HH12.MI PM", "<I>.<M> <P>", nil},
		{"YYYY%MM", "<Y>%%<m>", pct},
		{"YYYY%MM", "<Y>%<m>", nil},
		{"", "", nil},
	} {
		got, err := ConvertDateFormat(tc.in, "TIMEFORMAT", spell, tc.escape)
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"epochsecs", "YYYY-MM-DDT", "YYYY1", `YYYY"MM`, `YYYY\MM`, "MON DD"} {
		_, err := ConvertDateFormat(bad, "DATEFORMAT", spell, nil)
		var se *sqlerr.Error
		if !errors.As(err, &se) || se.Code != sqlerr.InvalidParameter || se.Message != fmt.Sprintf("unsupported DATEFORMAT %q", bad) {
			t.Errorf("%q: got %v, want an InvalidParameter naming DATEFORMAT", bad, err)
		}
	}
}
