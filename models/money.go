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
