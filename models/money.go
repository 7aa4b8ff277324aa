package models

import (
	"fmt"
	"math"
)

// Cents is an amount of money in euro cents. Money is never a float.
type Cents int64

// MaxCents bounds every amount the application accepts: 10^13 cents, 100 billion euros,
// the whole of France Relance, of which this fund is 88 million. An int64 holds the sum of
// 922,337 such amounts, so adding up bounded amounts stays far from overflow; the checked
// sums below refuse the rest (such as amounts stored before they were bounded).
const MaxCents Cents = 10_000_000_000_000

// ValidCents is the one rule for an amount received from outside: 0 ≤ c ≤ MaxCents.
// Rules about a particular amount (positive, capped lower) come on top of this one.
func ValidCents(c Cents) bool { return c >= 0 && c <= MaxCents }

// CentsRange is the message of a field that breaks ValidCents.
var CentsRange = fmt.Sprintf("must be between 0 and %d cents (%s)", MaxCents, FormatEuros(MaxCents))

// ErrCentsOverflow is a sum or difference of amounts beyond what an int64 holds. Bounded
// input cannot cause it: only corrupted figures can, which a person must correct.
var ErrCentsOverflow = Errorf(EConflict, "amounts too large to add up: a stored amount exceeds %s and must be corrected", FormatEuros(MaxCents))

// AddCents returns a+b, or ErrCentsOverflow instead of a wrapped result.
func AddCents(a, b Cents) (Cents, error) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, ErrCentsOverflow
	}
	return a + b, nil
}

// SubCents returns a-b, or ErrCentsOverflow instead of a wrapped result.
func SubCents(a, b Cents) (Cents, error) {
	if (b < 0 && a > math.MaxInt64+b) || (b > 0 && a < math.MinInt64+b) {
		return 0, ErrCentsOverflow
	}
	return a - b, nil
}

// SumCents adds amounts up, or returns ErrCentsOverflow.
func SumCents(amounts ...Cents) (Cents, error) {
	var sum Cents
	for _, a := range amounts {
		var err error
		if sum, err = AddCents(sum, a); err != nil {
			return 0, err
		}
	}
	return sum, nil
}

// Euros converts a whole number of euros to cents.
func Euros(e int64) Cents { return Cents(e) * 100 }

// Decimal writes an amount as a decimal number of euros ("1240.50", "-0.05"), for exports
// and form inputs.
func (c Cents) Decimal() string {
	sign := ""
	mag := uint64(c) // as FormatEuros: -math.MinInt64 does not fit an int64
	if c < 0 {
		sign, mag = "-", -mag
	}
	return fmt.Sprintf("%s%d.%02d", sign, mag/100, mag%100)
}

// FormatEuros renders cents as "5 000,00 €" for people to read.
func FormatEuros(c Cents) string {
	sign := ""
	mag := uint64(c) // the magnitude in unsigned arithmetic: -math.MinInt64 does not fit an int64
	if c < 0 {
		sign, mag = "-", -mag
	}
	euros, cents := mag/100, mag%100
	s := fmt.Sprintf("%d", euros)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return fmt.Sprintf("%s%s,%02d €", sign, out, cents)
}
