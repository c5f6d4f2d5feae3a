// Package scoring is the pure scoring core of skillscore: rules as data
// (rubric, panel aggregation, rounding, tie-breaks, awards, promotions, pass
// rules), exact fixed-point arithmetic, and results that explain themselves.
//
// It must never do I/O: no database, network, files or clock (no time.Now),
// and it holds no package-level mutable state, so the store, the web server,
// the judge protocol and the offline `skillscore compute` command all get the
// same answer from the same rules and marks.
//
// No float64 is used for any score: marks are Decimal (4 fixed places) and
// intermediate values are exact rationals of int64 with overflow checks;
// values are rounded only where a rule says so.
package scoring
