package api

import (
	"fmt"
	"testing"

	"github.com/relance/relance/models"
)

// The document states the bound of amounts the models enforce.
func TestOpenAPIStatesTheBoundOfAmounts(t *testing.T) {
	components, _ := asMap(openAPIDoc(t)["components"])
	schemas, _ := asMap(components["schemas"])
	allocation, _ := asMap(schemas["EnvelopeAllocation"])
	properties, _ := asMap(allocation["properties"])
	allocated, _ := asMap(properties["allocated_cents"])
	if got := fmt.Sprint(allocated["maximum"]); got != fmt.Sprint(models.MaxCents) {
		t.Fatalf("EnvelopeAllocation.allocated_cents maximum is %s, models.MaxCents is %d", got, models.MaxCents)
	}
}
