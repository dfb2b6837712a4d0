package gendata

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Options controls generation. The same Options always produce the same
// output bytes.
type Options struct {
	// Rows is the number of data rows (the header is not counted). Must not
	// be negative.
	Rows int64
	// Seed selects the data set; any value is valid.
	Seed int64
}

// Column names one output column and its Redshift type.
type Column struct {
	Name string
	Type string
}

// Columns returns the column names and Redshift types in output order.
func Columns() []Column {
	return []Column{
		{"SKU", "VARCHAR(50)"},
		{"Product_Name", "VARCHAR(255)"},
		{"Category", "VARCHAR(100)"},
		{"Quantity", "INT"},
		{"Sales_Price", "DECIMAL(10,2)"},
		{"Timestamp", "TIMESTAMP"},
		{"City", "VARCHAR(100)"},
		{"Region_Code", "VARCHAR(10)"},
		{"Country", "VARCHAR(10)"},
		{"Latitude", "DECIMAL(10,6)"},
		{"Longitude", "DECIMAL(10,6)"},
		{"Population", "INT"},
		{"Elevation", "INT"},
		{"Timezone", "VARCHAR(50)"},
	}
}

// Window returns the sales time window [start, end): the two full calendar
// years 2024 and 2025. It is fixed rather than derived from time.Now() so that
// a data set never changes over time. Times are wall-clock values; the UTC
// location only serves as a zone-free calendar.
func Window() (start, end time.Time) {
	end = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	return end.AddDate(-2, 0, 0), end
}

const (
	// chunkRows is the number of rows generated from one PCG stream. It is
	// part of the output format: changing it changes every data set.
	chunkRows = 1 << 16
)

// firstHour is the earliest local hour of a sale. No sale happens before
// 07:00, which keeps every generated wall-clock time clear of daylight-saving
// gaps (IANA zones switch between 00:00 and 04:00 local time).
const firstHour = 7

// errNegativeRows is returned (wrapped) for Options.Rows < 0.
var errNegativeRows = errors.New("gendata: Options.Rows must not be negative")

// sale is one generated row in index form; writers render it.
type sale struct {
	product  int32
	city     int32
	quantity int32
	// priceCents is the charged unit price in cents.
	priceCents int64
	// day is the index of the day within the window, second the second of
	// that day in local wall-clock time.
	day    int32
	second int32
}

// model holds the immutable lookup tables shared by all chunks of one write.
type model struct {
	products    []product
	productCum  []uint64
	cities      []City
	cityCum     []uint64
	windowStart time.Time
	days        int
	// quantityLUT[rng.IntN(100)] is a line's quantity.
	quantityLUT  [100]int32
	hourCum      [16]int
	hourWeightTo int
}

func newModel() (*model, error) {
	cities, err := Cities()
	if err != nil {
		return nil, err
	}
	m := &model{products: catalogue(), cities: cities}
	// Cheap items sell more often than expensive ones; weighting by
	// 1/sqrt(price) gives running socks about 6.5x the sales count of a treadmill,
	// which looks like a real shop without making big-ticket items vanish.
	var total uint64
	m.productCum = make([]uint64, len(m.products))
	for i, p := range m.products {
		total += uint64(math.Round(1e6 / math.Sqrt(float64(p.ListCents))))
		m.productCum[i] = total
	}
	total = 0
	m.cityCum = make([]uint64, len(cities))
	for i, c := range cities {
		total += uint64(c.Population)
		m.cityCum[i] = total
	}
	start, end := Window()
	m.windowStart = start
	m.days = int(end.Sub(start) / (24 * time.Hour))
	// Most lines are single items, a few are bulk purchases.
	quantityWeights := [10]int{33, 20, 13, 10, 8, 6, 4, 3, 2, 1}
	// Local hours 07..22, with a lunchtime and an after-work peak.
	hourWeights := [len(m.hourCum)]int{2, 4, 6, 7, 8, 10, 9, 7, 7, 8, 10, 10, 8, 5, 3, 2}
	i := 0
	for q, w := range quantityWeights {
		for range w {
			m.quantityLUT[i] = int32(q + 1)
			i++
		}
	}
	if i != len(m.quantityLUT) {
		return nil, fmt.Errorf("gendata: quantity weights sum to %d, want %d", i, len(m.quantityLUT))
	}
	for h, w := range hourWeights {
		m.hourWeightTo += w
		m.hourCum[h] = m.hourWeightTo
	}
	return m, nil
}

// pick returns the index i with cum[i-1] <= r < cum[i] for r drawn uniformly
// below the last cumulative weight.
func pick(rng *rand.Rand, cum []uint64) int32 {
	r := rng.Uint64N(cum[len(cum)-1])
	return int32(sort.Search(len(cum), func(i int) bool { return cum[i] > r }))
}

// chunkRNG returns the generator for one chunk. Both PCG seed words are
// derived by SplitMix64 from (seed, chunk) so that neighbouring seeds or
// chunks do not start from neighbouring PCG states.
func chunkRNG(seed int64, chunk int64) *rand.Rand {
	s := uint64(seed)
	c := uint64(chunk)
	hi := splitmix64(s ^ splitmix64(c))
	lo := splitmix64(hi ^ splitmix64(^c))
	return rand.New(rand.NewPCG(hi, lo))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// next draws one sale. The order of draws is part of the output format.
func (m *model) next(rng *rand.Rand, s *sale) {
	s.product = pick(rng, m.productCum)
	s.city = pick(rng, m.cityCum)
	s.quantity = m.quantityLUT[rng.IntN(len(m.quantityLUT))]
	list := m.products[s.product].ListCents
	var discount int64
	switch d := rng.IntN(100); {
	case d < 72:
	case d < 88:
		discount = 10
	case d < 96:
		discount = 20
	default:
		discount = 30
	}
	// Round half up to whole cents.
	s.priceCents = (list*(100-discount) + 50) / 100
	s.day = int32(rng.IntN(m.days))
	h := rng.IntN(m.hourWeightTo)
	hour := 0
	for m.hourCum[hour] <= h {
		hour++
	}
	s.second = int32((firstHour+hour)*3600 + rng.IntN(3600))
}

// forEachChunk calls fn for consecutive chunks of at most chunkRows rows with
// the chunk's generator, stopping at the first error.
func forEachChunk(opts Options, fn func(rng *rand.Rand, n int) error) error {
	if opts.Rows < 0 {
		return fmt.Errorf("%w: got %d", errNegativeRows, opts.Rows)
	}
	for chunk, left := int64(0), opts.Rows; left > 0; chunk++ {
		n := int(min(left, chunkRows))
		if err := fn(chunkRNG(opts.Seed, chunk), n); err != nil {
			return err
		}
		left -= int64(n)
	}
	return nil
}
