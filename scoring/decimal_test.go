package scoring

import (
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Decimal
		err  string
	}{
		{"85.5", 855000, ""}, {"-2", -20000, ""}, {"0.25", 2500, ""}, {"+3", 30000, ""},
		{"0.0001", 1, ""}, {"100", 1000000, ""}, {".5", 5000, ""}, {"7.", 0, "invalid"},
		{"1.23456", 0, "more than 4"}, {"1e3", 0, "invalid"}, {"", 0, "empty"}, {"abc", 0, "invalid"},
		{"-", 0, "invalid"}, {"1,5", 0, "invalid"}, {"922337203685478", 0, "out of range"},
		{"922337203685477.5808", 0, "out of range"}, {"922337203685477.5807", 1<<63 - 1, ""}, {"92233720368547.7580", 922337203685477580, ""}, {" 1", 0, "invalid"},
	} {
		got, err := ParseDecimal(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDecimal(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestDecimalFormat(t *testing.T) {
	for _, tc := range []struct {
		d      Decimal
		places int
		want   string
		str    string
	}{
		{855000, 2, "85.50", "85.5"}, {-20000, 0, "-2", "-2"}, {2500, 4, "0.2500", "0.25"},
		{1, 2, "0.00", "0.0001"}, {-5, 3, "-0.001", "-0.0005"}, {12345, 1, "1.2", "1.2345"}, {15000, 0, "2", "1.5"},
	} {
		if got := tc.d.Format(tc.places); got != tc.want {
			t.Errorf("%d.Format(%d) = %q, want %q", tc.d, tc.places, got, tc.want)
		}
		if got := tc.d.String(); got != tc.str {
			t.Errorf("%d.String() = %q, want %q", tc.d, got, tc.str)
		}
		if back, err := ParseDecimal(tc.d.String()); err != nil || back != tc.d {
			t.Errorf("round trip %d: %d %v", tc.d, back, err)
		}
	}
}

func TestRounding(t *testing.T) {
	third := newRat(int64(Points(85)), 3) // 28.3333…
	for _, tc := range []struct {
		r      rat
		places int
		mode   RoundingMode
		want   string
	}{
		{third, 2, HalfUp, "28.33"}, {newRat(int64(Points(2)), 3), 2, HalfUp, "0.67"}, {newRat(125, 1), 4, HalfUp, "0.0125"},
		{rat{125, 1}, 3, HalfUp, "0.013"}, {rat{125, 1}, 3, HalfEven, "0.012"}, {rat{135, 1}, 3, HalfEven, "0.014"},
		{rat{-125, 1}, 3, HalfUp, "-0.013"}, {rat{129, 1}, 3, Down, "0.012"}, {rat{121, 1}, 3, Up, "0.013"},
		{rat{-121, 1}, 3, Up, "-0.013"}, {newRat(int64(Points(1)), 3), 0, Up, "1"}, {rat{5000, 1}, 0, HalfEven, "0"},
		{rat{15000, 1}, 0, HalfEven, "2"},
	} {
		got, err := tc.r.round(tc.places, tc.mode)
		if err != nil || got.Format(tc.places) != tc.want {
			t.Errorf("round(%v, %d, %s) = %s %v, want %s", tc.r, tc.places, tc.mode, got.Format(tc.places), err, tc.want)
		}
	}
}

func TestRatOverflow(t *testing.T) {
	_, err := func() (d Decimal, err error) {
		defer catchOverflow(&err)
		r := rat{1 << 62, 1}
		return r.mulInt(4).mustRound(2, HalfUp), nil
	}()
	if err != ErrOverflow {
		t.Fatalf("err = %v, want ErrOverflow", err)
	}
}
