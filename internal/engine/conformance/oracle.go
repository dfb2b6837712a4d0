package conformance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The differential oracle: random queries over the fixture, each run as a
// principal through enforcement and over the principal's ground truth.
// Results must be equal as multisets.

type colKind int

const (
	kText colKind = iota
	kInt
	kDec
	kTime
)

var columnKinds = map[string]colKind{
	"sku": kText, "product_name": kText, "category": kText, "quantity": kInt, "sales_price": kDec, "timestamp": kTime,
	"city": kText, "region_code": kText, "country": kText, "latitude": kDec, "longitude": kDec, "population": kInt,
	"elevation": kInt, "timezone": kText,
}

type queryGen struct {
	r    *rand.Rand
	cols []string
	// qual qualifies column references of the outer query ("a." in a
	// self-join); subqueries use their own unqualified columns.
	qual string
}

// sub generates a subquery predicate with unqualified columns.
func (g *queryGen) sub(depth int) string {
	saved := g.qual
	g.qual = ""
	defer func() { g.qual = saved }()
	return g.predicate(depth)
}

func (g *queryGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *queryGen) colOf(kinds ...colKind) string {
	var ok []string
	for _, c := range g.cols {
		if slices.Contains(kinds, columnKinds[c]) {
			ok = append(ok, c)
		}
	}
	if len(ok) == 0 {
		return ""
	}
	return g.pick(ok)
}

func (g *queryGen) literal(col string) string {
	switch col {
	case "quantity":
		return fmt.Sprint(1 + g.r.IntN(10))
	case "population":
		return g.pick([]string{"100000", "500000", "1000000", "3000000", "10000000"})
	case "elevation":
		return g.pick([]string{"0", "50", "200", "1000"})
	case "sales_price":
		return g.pick([]string{"9.99", "25", "49.50", "100", "250.00"})
	case "latitude", "longitude":
		return g.pick([]string{"-30", "0", "10.5", "35", "50"})
	case "timestamp":
		return g.pick([]string{"TIMESTAMP '2024-03-01 00:00:00'", "TIMESTAMP '2024-09-15 12:00:00'", "TIMESTAMP '2025-06-30 23:00:00'"})
	case "timezone":
		return g.pick([]string{"'Asia/Tokyo'", "'Europe/Berlin'", "'America/Chicago'", "'Africa/Lagos'", "'Asia/Kolkata'"})
	case "city":
		return g.pick([]string{"'Tokyo'", "'Berlin'", "'Chicago'", "'Lagos'", "'Sydney'", "'Mumbai'", "'Paris'", "'Lima'"})
	case "country":
		return g.pick([]string{"'JP'", "'DE'", "'US'", "'NG'", "'IN'", "'FR'", "'BR'"})
	case "category":
		return g.pick([]string{"'Running'", "'Cycling'", "'Tennis'", "'Swimming'", "'Camping'", "'Golf'"})
	default:
		return g.pick([]string{"'A'", "'M'", "'S'", "'x'"})
	}
}

func (g *queryGen) predicate(depth int) string {
	if depth > 0 && g.r.IntN(4) == 0 {
		op := g.pick([]string{"AND", "OR"})
		return "(" + g.predicate(depth-1) + " " + op + " " + g.predicate(depth-1) + ")"
	}
	if depth > 0 && g.r.IntN(10) == 0 {
		return "NOT (" + g.predicate(depth-1) + ")"
	}
	switch g.r.IntN(9) {
	case 0, 1, 2:
		c := g.pick(g.cols)
		op := g.pick([]string{"=", "<", ">", "<=", ">=", "<>"})
		return g.qual + c + " " + op + " " + g.literal(c)
	case 3:
		c := g.colOf(kText)
		return g.qual + c + " LIKE '" + g.pick([]string{"A", "Asia", "Europe", "America", "T", "S", "C"}) + "%'"
	case 4:
		c := g.pick(g.cols)
		return g.qual + c + " IN (" + g.literal(c) + ", " + g.literal(c) + ")"
	case 5:
		c := g.pick(g.cols)
		return g.qual + c + " IS " + g.pick([]string{"", "NOT "}) + "NULL"
	case 6:
		if depth > 0 {
			c := g.pick(g.cols)
			return g.qual + c + " IN (SELECT " + c + " FROM sales_data WHERE " + g.sub(depth-1) + ")"
		}
		return "true"
	case 7:
		c := g.colOf(kInt, kDec)
		if c == "" || depth == 0 {
			return g.qual + "quantity > 3"
		}
		return g.qual + c + " > (SELECT avg(" + c + ") FROM sales_data WHERE " + g.sub(depth-1) + ")"
	default:
		return "EXISTS (SELECT 1 FROM region_lookup r WHERE r.timezone_prefix = split_part(" + g.qual + "timezone, '/', 1))"
	}
}

func (g *queryGen) aggregate() string {
	n := g.colOf(kInt, kDec)
	c := g.pick(g.cols)
	return g.pick([]string{
		"count(*)", "count(" + c + ")", "count(DISTINCT " + c + ")", "min(" + c + ")", "max(" + c + ")",
		"sum(" + n + ")", "avg(" + n + ")",
	})
}

func (g *queryGen) projection(k int) []string {
	cols := slices.Clone(g.cols)
	g.r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	if k > len(cols) {
		k = len(cols)
	}
	return cols[:k]
}

// query returns one random statement.
func (g *queryGen) query() string {
	where := " WHERE " + g.predicate(2)
	if g.r.IntN(5) == 0 {
		where = ""
	}
	switch g.r.IntN(12) {
	case 0:
		p := g.projection(1 + g.r.IntN(3))
		return "SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + " ORDER BY ALL LIMIT " + fmt.Sprint(1+g.r.IntN(50))
	case 1:
		return "SELECT DISTINCT " + g.pick(g.cols) + " FROM sales_data" + where
	case 2, 3:
		grp := g.pick(g.cols)
		having := ""
		if g.r.IntN(2) == 0 {
			having = " HAVING count(*) > " + fmt.Sprint(g.r.IntN(5))
		}
		return "SELECT " + grp + ", " + g.aggregate() + ", " + g.aggregate() + " FROM sales_data" + where + " GROUP BY " + grp + having
	case 4:
		return "SELECT " + g.aggregate() + ", " + g.aggregate() + " FROM sales_data" + where
	case 5:
		grp := g.pick(g.cols)
		n := g.colOf(kInt, kDec)
		win := g.pick([]string{
			"count(*) OVER (PARTITION BY " + grp + ")",
			"sum(" + n + ") OVER (PARTITION BY " + grp + ")",
			"rank() OVER (PARTITION BY " + grp + " ORDER BY " + n + ")",
			"dense_rank() OVER (ORDER BY " + grp + ")",
			"max(" + n + ") OVER ()",
		})
		return "SELECT " + grp + ", " + n + ", " + win + " AS w FROM sales_data" + where
	case 6:
		grp := g.pick(g.cols)
		return "WITH t AS (SELECT " + grp + " AS g, " + g.aggregate() + " AS a FROM sales_data" + where + " GROUP BY 1) SELECT g, a FROM t WHERE a IS NOT NULL"
	case 7:
		grp := g.pick(g.cols)
		g.qual = "a."
		w := g.predicate(2)
		g.qual = ""
		return "SELECT a." + grp + ", count(*) FROM sales_data a JOIN sales_data b ON a.city = b.city AND a.category = b.category WHERE " + w + " GROUP BY a." + grp
	case 8:
		c := g.pick(g.cols)
		op := g.pick([]string{"UNION", "UNION ALL", "INTERSECT", "EXCEPT"})
		return "SELECT " + c + " FROM sales_data WHERE " + g.predicate(1) + " " + op + " SELECT " + c + " FROM sales_data WHERE " + g.predicate(1)
	case 9:
		grp := g.pick(g.cols)
		g.qual = "s1."
		w := g.predicate(2)
		g.qual = ""
		return "SELECT s1." + grp + ", (SELECT count(*) FROM sales_data s2 WHERE s2." + grp + " = s1." + grp + ") AS n FROM sales_data s1 WHERE " + w + " GROUP BY s1." + grp
	case 10:
		p := g.projection(2)
		return "SELECT * FROM (SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + ") t WHERE " + p[0] + " IS NOT NULL"
	default:
		grp := g.pick(g.cols)
		return "SELECT r.timezone_prefix, count(s." + grp + ") FROM region_lookup r LEFT JOIN sales_data s ON split_part(s.timezone, '/', 1) = r.timezone_prefix GROUP BY 1"
	}
}

// RunOracle generates n queries per principal from seed and compares the
// enforced results with the ground truth. It returns the number compared.
func RunOracle(t *testing.T, fx *Fixture, n int, seed uint64) int {
	ctx := context.Background()
	compared, mismatches, bothFailed := 0, 0, 0
	for pi, p := range fx.Principals {
		g := &queryGen{r: rand.New(rand.NewPCG(seed, uint64(pi))), cols: p.Columns}
		for i := 0; i < n; i++ {
			q := g.query()
			got, gerr := Collect(ctx, fx.Engine, p.Principal, q)
			want, werr := p.TruthRows(ctx, q)
			switch {
			case gerr != nil && werr != nil:
				bothFailed++
				if testing.Verbose() && bothFailed <= 15 {
					t.Logf("both failed: %s: %v", q, werr)
				}
				continue
			case gerr != nil || werr != nil:
				mismatches++
				if mismatches <= 20 {
					t.Errorf("as %s: %s\n  enforced error: %v\n  ground truth error: %v", p.Name, q, gerr, werr)
				}
				continue
			}
			compared++
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				mismatches++
				if mismatches <= 20 {
					t.Errorf("as %s: %s\n  got  %d rows: %.400q\n  want %d rows: %.400q", p.Name, q, len(got), got, len(want), want)
				}
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d mismatches", mismatches)
	}
	if bothFailed > n*len(fx.Principals)/20 {
		t.Errorf("%d generated queries failed on both sides: the generator makes too many invalid queries", bothFailed)
	}
	return compared
}
