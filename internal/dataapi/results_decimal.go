package dataapi

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// parseDecimal reads an engine's DECIMAL text — digits with exactly scale
// of them after the point, as both engines print a typed DECIMAL — into a
// Decimal128. Any other spelling is refused, so formatDecimal gives back the
// engine's text exactly.
func parseDecimal(s string, precision, scale int32) (decimal128.Num, bool) {
	digits := s
	neg := strings.HasPrefix(digits, "-")
	if neg {
		digits = digits[1:]
	}
	if scale > 0 {
		i := len(digits) - int(scale) - 1
		if i < 1 || digits[i] != '.' {
			return decimal128.Num{}, false
		}
		digits = digits[:i] + digits[i+1:]
	}
	if len(digits) == 0 || len(digits) > int(precision)+1 {
		return decimal128.Num{}, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return decimal128.Num{}, false
		}
	}
	var n decimal128.Num
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64)
		if neg {
			v = -v
		}
		n = decimal128.FromI64(v)
	} else {
		b, ok := new(big.Int).SetString(digits, 10)
		// FromBigInt panics past 128 bits; precision+1 digits (a leading
		// zero is allowed) can exceed that at precision 38.
		if !ok || b.BitLen() > 127 {
			return decimal128.Num{}, false
		}
		if neg {
			b.Neg(b)
		}
		n = decimal128.FromBigInt(b)
	}
	if !n.FitsInPrecision(precision) {
		return decimal128.Num{}, false
	}
	if string(appendDecimal(nil, n, scale)) != s {
		return decimal128.Num{}, false
	}
	return n, true
}

// appendDecimal prints n with scale digits after the point, as the engines
// do ("1.50", "-0.05", "12").
func appendDecimal(dst []byte, n decimal128.Num, scale int32) []byte {
	var buf [40]byte
	var digits []byte
	switch hi, lo := n.HighBits(), n.LowBits(); {
	case (hi == 0 || hi == -1 && lo >= 1<<63) && scale > 0 && scale < int32(len(pow10)):
		// The common case (a magnitude in 64 bits, a scale whose power of
		// ten is too): integer part, point, then the fraction's digits
		// zero-padded, straight into dst.
		if hi == -1 {
			dst = append(dst, '-')
			lo = -lo
		}
		p := pow10[scale]
		dst = strconv.AppendUint(dst, lo/p, 10)
		dst = append(dst, '.')
		frac := lo % p
		dst = append(dst, make([]byte, scale)...)
		for i := len(dst) - 1; i >= len(dst)-int(scale); i-- {
			dst[i] = byte('0' + frac%10)
			frac /= 10
		}
		return dst
	case hi == 0:
		digits = strconv.AppendUint(buf[:0], lo, 10)
	case hi == -1 && lo >= 1<<63:
		digits = strconv.AppendUint(buf[:0], -lo, 10)
	default:
		b := n.BigInt()
		digits = b.Abs(b).Append(buf[:0], 10)
	}
	if n.Sign() < 0 {
		dst = append(dst, '-')
	}
	sc := int(scale)
	if sc <= 0 {
		return append(dst, digits...)
	}
	if len(digits) <= sc {
		dst = append(dst, '0', '.')
		for i := len(digits); i < sc; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-sc]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-sc:]...)
}

// pow10 holds the powers of ten that fit in a uint64.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}
