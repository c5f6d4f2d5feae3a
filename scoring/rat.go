package scoring

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
)

// RoundingMode says how a value is rounded where a rule rounds it.
type RoundingMode string

const (
	HalfUp   RoundingMode = "half_up"   // 四舍五入: halves away from zero
	HalfEven RoundingMode = "half_even" // banker's rounding: halves to the even digit
	Down     RoundingMode = "down"      // 截断: toward zero
	Up       RoundingMode = "up"        // 进一: away from zero
)

func (m RoundingMode) valid() bool {
	switch m {
	case HalfUp, HalfEven, Down, Up:
		return true
	}
	return false
}

func (m RoundingMode) zh() string {
	switch m {
	case HalfUp:
		return "四舍五入"
	case HalfEven:
		return "四舍六入五成双"
	case Down:
		return "截断（舍去）"
	case Up:
		return "进一"
	}
	return string(m)
}

// ErrOverflow reports an intermediate value outside the exact int64 range.
var ErrOverflow = errors.New("scoring: arithmetic overflow")

// overflowPanic is raised inside the core and turned back into ErrOverflow at
// the API boundary; checking every operation by hand would bury the rules.
type overflowPanic struct{}

func catchOverflow(err *error) {
	if r := recover(); r != nil {
		if _, ok := r.(overflowPanic); ok {
			*err = ErrOverflow
			return
		}
		panic(r)
	}
}

// rat is an exact rational number of Decimal units (n/d × 10^-4 points),
// d > 0, reduced. Intermediates stay exact until a rule rounds them.
type rat struct{ n, d int64 }

var ratZero = rat{0, 1}

func ratFromDecimal(v Decimal) rat { return rat{int64(v), 1} }

// ratFactor turns a Decimal used as a pure number (weight, factor,
// multiplier) into a rational: 1.5 → 3/2.
func ratFactor(v Decimal) rat { return newRat(int64(v), DecimalScale) }

func newRat(n, d int64) rat {
	if d == 0 {
		panic("scoring: zero denominator")
	}
	if d < 0 {
		n, d = neg64(n), neg64(d)
	}
	g := gcd(abs64(n), d)
	if g > 1 {
		n /= g
		d /= g
	}
	return rat{n, d}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

func abs64(a int64) int64 {
	if a < 0 {
		if a == math.MinInt64 {
			panic(overflowPanic{})
		}
		return -a
	}
	return a
}

func neg64(a int64) int64 {
	if a == math.MinInt64 {
		panic(overflowPanic{})
	}
	return -a
}

func mul64(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
	if hi != 0 || lo > math.MaxInt64 {
		panic(overflowPanic{})
	}
	if (a < 0) != (b < 0) {
		return -int64(lo)
	}
	return int64(lo)
}

func add64(a, b int64) int64 {
	c := a + b
	if (c > a) != (b > 0) {
		panic(overflowPanic{})
	}
	return c
}

func (a rat) add(b rat) rat {
	if a.d == 1 && b.d == 1 {
		return rat{add64(a.n, b.n), 1}
	}
	if a.d == b.d {
		return newRat(add64(a.n, b.n), a.d)
	}
	g := gcd(a.d, b.d)
	n := add64(mul64(a.n, b.d/g), mul64(b.n, a.d/g))
	return newRat(n, mul64(a.d, b.d/g))
}

func (a rat) neg() rat      { return rat{neg64(a.n), a.d} }
func (a rat) sub(b rat) rat { return a.add(b.neg()) }

func (a rat) mul(b rat) rat {
	if a.n == 0 || b.n == 0 {
		return ratZero
	}
	if a.d == 1 && b.d == 1 { // the common whole-units case needs no gcd
		return rat{mul64(a.n, b.n), 1}
	}
	// cross-reduce first so products stay small
	g1 := gcd(abs64(a.n), b.d)
	g2 := gcd(abs64(b.n), a.d)
	return newRat(mul64(a.n/g1, b.n/g2), mul64(a.d/g2, b.d/g1))
}

// mulInt multiplies by an integer count.
func (a rat) mulInt(k int64) rat { return a.mul(rat{k, 1}) }

// div divides by a pure rational (non-zero).
func (a rat) div(b rat) rat {
	if b.n == 0 {
		panic("scoring: division by zero")
	}
	if b.n < 0 {
		return a.mul(rat{neg64(b.d), neg64(b.n)})
	}
	return a.mul(rat{b.d, b.n})
}

func (a rat) divInt(k int64) rat { return a.div(rat{k, 1}) }

func (a rat) cmp(b rat) int {
	if a.d == b.d {
		return cmp64(a.n, b.n)
	}
	return cmp64(mul64(a.n, b.d), mul64(b.n, a.d))
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (a rat) sign() int { return cmp64(a.n, 0) }

// exact reports whether a is a whole number of Decimal units.
func (a rat) exact() bool { return a.d == 1 }

// round rounds to places decimals (0..4) with mode and returns a Decimal.
func (a rat) round(places int, mode RoundingMode) (d Decimal, err error) {
	defer catchOverflow(&err)
	step := int64(1)
	for i := places; i < decimalPlaces; i++ {
		step *= 10
	}
	den := mul64(a.d, step)
	q, r := a.n/den, a.n%den // truncated toward zero
	if r != 0 {
		ar := abs64(r)
		twice := mul64(ar, 2)
		away := false
		switch mode {
		case Up:
			away = true
		case Down:
		case HalfUp:
			away = twice >= den
		case HalfEven:
			away = twice > den || twice == den && q%2 != 0
		}
		if away {
			if a.n < 0 {
				q--
			} else {
				q++
			}
		}
	}
	return Decimal(mul64(q, step)), nil
}

// mustRound is round for values known to be in range (panics are caught at
// the API boundary).
func (a rat) mustRound(places int, mode RoundingMode) Decimal {
	d, err := a.round(places, mode)
	if err != nil {
		panic(overflowPanic{})
	}
	return d
}

// display gives the value as a Decimal for people: exact when it is, else
// rounded half-up to 4 places; the second result is the exact fraction
// ("170/3" points) when rounding was needed, so nothing is hidden.
func (a rat) display() (Decimal, string) {
	if a.d == 1 {
		return Decimal(a.n), ""
	}
	d := a.mustRound(decimalPlaces, HalfUp)
	// n/d units = n/(d×10^4) points
	p := newRat(a.n, mul64(a.d, DecimalScale))
	return d, strconv.FormatInt(p.n, 10) + "/" + strconv.FormatInt(p.d, 10)
}
