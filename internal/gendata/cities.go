package gendata

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

//go:embed cities.csv
var citiesCSV string

// City is one row of the embedded city list.
type City struct {
	GeonameID int64
	Name      string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Region is the GeoNames admin1 code (a US state code such as "IL",
	// otherwise usually a FIPS or ISO 3166-2 subdivision code).
	Region    string
	Latitude  float64
	Longitude float64
	// LatitudeMicro and LongitudeMicro are the coordinates in millionths of
	// a degree, parsed exactly from the decimal text, so that CSV and
	// Parquet output never depend on float formatting.
	LatitudeMicro  int64
	LongitudeMicro int64
	Population     int64
	// Elevation is in metres; ElevationSource says whether it is GeoNames'
	// "elevation" or its "dem" model value.
	Elevation       int64
	ElevationSource string
	// Timezone is an IANA time zone name such as "Europe/Berlin".
	Timezone string
}

var citiesHeader = []string{
	"geonameid", "name", "country", "admin1", "latitude", "longitude",
	"population", "elevation", "elevation_source", "timezone",
}

// Cities returns the embedded city list in file order (most populous first).
// It parses on every call so that callers may modify the result freely and
// the package keeps no shared state.
func Cities() ([]City, error) {
	r := csv.NewReader(strings.NewReader(citiesCSV))
	r.FieldsPerRecord = len(citiesHeader)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("gendata: reading cities.csv header: %w", err)
	}
	for i, want := range citiesHeader {
		if header[i] != want {
			return nil, fmt.Errorf("gendata: cities.csv column %d is %q, want %q", i, header[i], want)
		}
	}
	var out []City
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gendata: reading cities.csv: %w", err)
		}
		c, err := parseCity(rec)
		if err != nil {
			return nil, fmt.Errorf("gendata: cities.csv line %d: %w", line, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("gendata: cities.csv has no cities")
	}
	return out, nil
}

func parseCity(rec []string) (City, error) {
	var c City
	var err error
	if c.GeonameID, err = strconv.ParseInt(rec[0], 10, 64); err != nil {
		return c, fmt.Errorf("geonameid: %w", err)
	}
	c.Name, c.Country, c.Region = rec[1], rec[2], rec[3]
	if c.Name == "" || len(c.Country) != 2 || c.Region == "" {
		return c, fmt.Errorf("empty name, region or bad country code %q", c.Country)
	}
	if c.LatitudeMicro, err = parseMicro(rec[4]); err != nil {
		return c, fmt.Errorf("latitude: %w", err)
	}
	if c.LongitudeMicro, err = parseMicro(rec[5]); err != nil {
		return c, fmt.Errorf("longitude: %w", err)
	}
	if c.LatitudeMicro < -90e6 || c.LatitudeMicro > 90e6 || c.LongitudeMicro < -180e6 || c.LongitudeMicro > 180e6 {
		return c, fmt.Errorf("coordinates %s,%s out of range", rec[4], rec[5])
	}
	if c.Latitude, err = strconv.ParseFloat(rec[4], 64); err != nil {
		return c, fmt.Errorf("latitude: %w", err)
	}
	if c.Longitude, err = strconv.ParseFloat(rec[5], 64); err != nil {
		return c, fmt.Errorf("longitude: %w", err)
	}
	// Population and elevation end up in Redshift INT columns.
	if c.Population, err = strconv.ParseInt(rec[6], 10, 32); err != nil || c.Population <= 0 {
		return c, fmt.Errorf("population %q: must be a positive 32-bit integer (%v)", rec[6], err)
	}
	if c.Elevation, err = strconv.ParseInt(rec[7], 10, 32); err != nil {
		return c, fmt.Errorf("elevation: %w", err)
	}
	c.ElevationSource = rec[8]
	if c.ElevationSource != "elevation" && c.ElevationSource != "dem" {
		return c, fmt.Errorf("elevation_source %q, want elevation or dem", c.ElevationSource)
	}
	c.Timezone = rec[9]
	if !strings.Contains(c.Timezone, "/") {
		return c, fmt.Errorf("timezone %q is not an Area/Location IANA name", c.Timezone)
	}
	return c, nil
}

// parseMicro parses a decimal degree string such as "-34.61315" into
// millionths of a degree without going through float64.
func parseMicro(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" || len(frac) > 6 {
		return 0, fmt.Errorf("%q: want at most 6 decimals", s)
	}
	frac += strings.Repeat("0", 6-len(frac))
	v, err := strconv.ParseUint(intPart+frac, 10, 63)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}
