package models

import "fmt"

// Cents is an amount of money in euro cents. Money is never a float.
type Cents = int64

// Euros converts a whole number of euros to cents.
func Euros(e int64) Cents { return e * 100 }

// FormatEuros renders cents as "5 000,00 €" for people to read.
func FormatEuros(c Cents) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	euros, cents := c/100, c%100
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

// MaxCents bounds any amount of money given as input: 10^13 euros, far below what
// int64 holds, so sums of amounts cannot overflow.
const MaxCents Cents = 1_000_000_000_000_000

// ValidCents reports whether c is an amount the fund can mean: not negative, within MaxCents.
func ValidCents(c Cents) bool { return c >= 0 && c <= MaxCents }
