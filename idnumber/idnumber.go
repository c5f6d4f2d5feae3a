// Package idnumber checks and builds 18-character 居民身份证 numbers
// (GB 11643-1999): 6-digit region code, 8-digit birth date, 3-digit sequence
// whose last digit is odd for men and even for women, and a check character.
package idnumber

import (
	"fmt"
	"regexp"
	"time"
)

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum mod 11 to the check character.
const checkChars = "10X98765432"

// CheckChar returns the check character for the first 17 digits.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 digits, got %d characters", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("character %d is not a digit", i+1)
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11], nil
}

// Problem names what is wrong with a number; its values are the reason
// codes the roster import reports.
type Problem string

const (
	OK        Problem = ""
	BadLength Problem = "id_length"
	BadChars  Problem = "id_chars"
	BadDate   Problem = "id_birthdate"
	BadCheck  Problem = "id_checksum"
)

// Check validates an 18-character number (already normalised: ASCII, upper-case X).
func Check(id string) Problem {
	if len(id) != 18 {
		return BadLength
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return BadChars
		}
	}
	if c := id[17]; (c < '0' || c > '9') && c != 'X' {
		return BadChars
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil {
		return BadDate
	}
	want, _ := CheckChar(id[:17])
	if id[17] != want {
		return BadCheck
	}
	return OK
}

// Gender returns "男" or "女" from the sequence digit of a valid number.
func Gender(id string) string {
	if (id[16]-'0')%2 == 1 {
		return "男"
	}
	return "女"
}

// Make builds a valid number from a region code, a birth date and a 3-digit
// sequence (odd for men, even for women).
func Make(region string, birth time.Time, seq int) (string, error) {
	if len(region) != 6 || seq < 0 || seq > 999 {
		return "", fmt.Errorf("region must be 6 digits and seq 0–999")
	}
	first := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	c, err := CheckChar(first)
	if err != nil {
		return "", err
	}
	return first + string(c), nil
}

// Mask hides all but the first 3 and last 4 characters: 360***********002X.
func Mask(id string) string {
	r := []rune(id)
	if len(r) <= 7 {
		return "****"
	}
	out := make([]rune, len(r))
	for i := range r {
		if i < 3 || i >= len(r)-4 {
			out[i] = r[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// inText finds what could be an 18-character 居民身份证 number inside text,
// not run together with other digits.
var inText = regexp.MustCompile(`(^|[^0-9])([0-9]{17}[0-9Xx])([^0-9Xx]|$)`)

// MaskWithin masks everything shaped like a 居民身份证 number (18
// characters, 17 digits and a digit or X, not part of a longer digit run)
// written inside free text (an appeal's words): a contestant who types
// their number into a text box has it kept masked, like everywhere else it
// is shown — a mistyped check digit included. Phones and amounts are
// shorter and stay as written.
func MaskWithin(text string) string {
	return inText.ReplaceAllStringFunc(text, func(m string) string {
		sub := inText.FindStringSubmatch(m)
		return sub[1] + Mask(sub[2]) + sub[3]
	})
}
