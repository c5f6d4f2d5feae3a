package scoring

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Decimal is an exact fixed-point number with 4 decimal places
// (1.5 points == Decimal(15000)). The database stores marks as BIGINT in this
// unit, so the scale must stay 4.
type Decimal int64

// DecimalScale is the number of units in 1 (10^4).
const DecimalScale = 10000

const decimalPlaces = 4

// Points returns the Decimal for a whole number of points.
func Points(n int64) Decimal { return Decimal(n * DecimalScale) }

var errDecimalSyntax = errors.New("invalid decimal")

// ParseDecimal parses "85.5", "-2", "0.25", "+3". It rejects more than four
// decimal places, exponents, junk and values outside the int64 range.
func ParseDecimal(s string) (Decimal, error) {
	orig := s
	if s == "" {
		return 0, fmt.Errorf("decimal %q: empty", orig)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || hasDot && frac == "" && intPart == "" {
		return 0, fmt.Errorf("decimal %q: %w", orig, errDecimalSyntax)
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("decimal %q: %w", orig, errDecimalSyntax)
	}
	if len(frac) > decimalPlaces {
		return 0, fmt.Errorf("decimal %q: more than %d decimal places", orig, decimalPlaces)
	}
	for _, p := range []string{intPart, frac} {
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, fmt.Errorf("decimal %q: %w", orig, errDecimalSyntax)
			}
		}
	}
	var ip uint64
	if intPart != "" {
		var err error
		ip, err = strconv.ParseUint(intPart, 10, 64)
		if err != nil || ip > (1<<63-1)/DecimalScale {
			return 0, fmt.Errorf("decimal %q: out of range", orig)
		}
	}
	var fp uint64
	if frac != "" {
		fp, _ = strconv.ParseUint(frac+strings.Repeat("0", decimalPlaces-len(frac)), 10, 64)
	}
	v := ip*DecimalScale + fp
	if v > 1<<63-1 {
		return 0, fmt.Errorf("decimal %q: out of range", orig)
	}
	if neg {
		return Decimal(-int64(v)), nil
	}
	return Decimal(v), nil
}

// MustDecimal is ParseDecimal for constants in tests and presets; it panics on
// a bad literal, which is a programming error.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String is the canonical form: no trailing zeros ("85.5", "-2", "0.25").
func (d Decimal) String() string {
	var buf [32]byte
	b := d.appendFormat(buf[:0], decimalPlaces)
	if len(b) > 0 && b[len(b)-5] == '.' {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// Format prints d with exactly places decimals (0..4), e.g. "85.50". When
// places < 4 the value is rounded half away from zero for display; scores are
// normally already rounded by their rules, so this changes nothing for them.
func (d Decimal) Format(places int) string {
	var buf [32]byte
	return string(d.appendFormat(buf[:0], places))
}

func (d Decimal) appendFormat(b []byte, places int) []byte {
	places = min(max(places, 0), decimalPlaces)
	v := d
	if places < decimalPlaces {
		v = d.Round(places, HalfUp)
	}
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-(v + 1)) + 1 // safe for MinInt64
	}
	b = strconv.AppendUint(b, u/DecimalScale, 10)
	if places > 0 {
		fp := u % DecimalScale
		b = append(b, '.', byte('0'+fp/1000), byte('0'+fp/100%10), byte('0'+fp/10%10), byte('0'+fp%10))
		b = b[:len(b)-(decimalPlaces-places)]
	}
	return b
}

// Round rounds d to places decimals (0..4) with the given mode.
func (d Decimal) Round(places int, mode RoundingMode) Decimal {
	if places >= decimalPlaces {
		return d
	}
	r := ratFromDecimal(d)
	out, err := r.round(places, mode)
	if err != nil { // only on overflow near the int64 limits
		return d
	}
	return out
}

// MarshalJSON writes the canonical text as a JSON number, exact.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON accepts a JSON number (30, 85.5) or a string ("30", "85.5");
// the text is parsed exactly, never through float64.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
