package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

const (
	sirenParis  = "217500016"
	sirenRennes = "213502388"
)

func TestRoleValid(t *testing.T) {
	for _, r := range []models.Role{models.RoleApplicant, models.RoleInstructor, models.RoleJury, models.RoleFinance, models.RoleAdmin, models.RolePrefet} {
		require.True(t, r.Valid(), r)
	}
	for _, r := range []models.Role{"", "Admin", "superuser"} {
		require.False(t, r.Valid(), r)
	}
}

func TestPrincipalValidate(t *testing.T) {
	tests := []struct {
		name  string
		p     models.Principal
		valid bool
	}{
		{"admin", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleAdmin}}, true},
		{"instructor", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}, true},
		{"applicant with valid siren", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleApplicant}, Siren: sirenParis}, true},
		{"several roles", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleJury, models.RoleFinance}}, true},
		{"no subject", models.Principal{Roles: []models.Role{models.RoleAdmin}}, false},
		{"no roles", models.Principal{Subject: "u1"}, false},
		{"empty roles", models.Principal{Subject: "u1", Roles: []models.Role{}}, false},
		{"unknown role", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleAdmin, "root"}}, false},
		{"applicant without siren", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleApplicant}}, false},
		{"applicant with bad checksum", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleApplicant}, Siren: "217500017"}, false},
		{"applicant with short siren", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleApplicant}, Siren: "12345678"}, false},
		{"national instructor", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}, true},
		{"corsica and overseas", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"2A", "2B", "974"}}, true},
		{"national spelled out", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}}, false},
		{"national spelled out among others", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35", "national"}}, false},
		{"old corsica code", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"20"}}, false},
		{"empty département", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Departements: []string{""}}, false},
		{"région", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}}, true},
		{"bad région", models.Principal{Subject: "u1", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"Bretagne"}}, false},
		{"préfet de département", models.Principal{Subject: "u1", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}, true},
		{"préfet de région", models.Principal{Subject: "u1", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}, true},
		{"préfet without territory", models.Principal{Subject: "u1", Roles: []models.Role{models.RolePrefet}}, false},
		{"national préfet", models.Principal{Subject: "u1", Roles: []models.Role{models.RolePrefet}, Departements: []string{"*"}}, false},
		{"préfet of a bad département", models.Principal{Subject: "u1", Roles: []models.Role{models.RolePrefet}, Departements: []string{"national"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.valid {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var e *models.Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, models.EUnauthorized, e.Code)
			require.Equal(t, models.EUnauthorized, models.ErrorCode(err))
			require.NotEmpty(t, e.Message)
		})
	}
}

func TestPrincipalHasRole(t *testing.T) {
	p := models.Principal{Roles: []models.Role{models.RoleInstructor, models.RoleJury}}
	require.True(t, p.HasRole(models.RoleInstructor))
	require.True(t, p.HasRole(models.RoleJury))
	require.False(t, p.HasRole(models.RoleAdmin))
	require.False(t, p.HasRole(""))
	require.False(t, models.Principal{}.HasRole(models.RoleApplicant))
}

func TestTaskID(t *testing.T) {
	require.Equal(t, "d-42.disbursement.1", models.TaskID("d-42", models.TaskDisbursement, 1))
	require.Equal(t, "d-42.disbursement.0", models.TaskID("d-42", models.TaskDisbursement, 0))
	require.Equal(t, "abc.disbursement.12", models.TaskID("abc", models.TaskDisbursement, 12))
	// Deterministic: a retried activity derives the same ID.
	require.Equal(t, models.TaskID("x", models.TaskDisbursement, 3), models.TaskID("x", models.TaskDisbursement, 3))
	require.NotEqual(t, models.TaskID("x", models.TaskDisbursement, 3), models.TaskID("x", models.TaskDisbursement, 4))
}

func TestPaymentValidate(t *testing.T) {
	now := time.Date(2021, 3, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		p      models.Payment
		now    time.Time
		fields []string
	}{
		{"valid today", models.Payment{PaidOn: "2021-03-15", Reference: "VIR-2021-001"}, now, nil},
		{"valid past", models.Payment{PaidOn: "2020-12-31", Reference: "abc"}, now, nil},
		{"valid tomorrow (within 24h)", models.Payment{PaidOn: "2021-03-16", Reference: "abc"}, now, nil},
		{"tomorrow exactly 24h ahead", models.Payment{PaidOn: "2021-03-16", Reference: "abc"}, time.Date(2021, 3, 15, 0, 0, 0, 0, time.UTC), nil},
		{"reference of 64", models.Payment{PaidOn: "2021-03-15", Reference: strings.Repeat("r", 64)}, now, nil},
		{"two days ahead", models.Payment{PaidOn: "2021-03-17", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"just beyond 24h", models.Payment{PaidOn: "2021-03-16", Reference: "abc"}, time.Date(2021, 3, 14, 23, 59, 59, 0, time.UTC), []string{"data.paid_on"}},
		{"next year", models.Payment{PaidOn: "2022-03-15", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"french date", models.Payment{PaidOn: "15/03/2021", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"unpadded date", models.Payment{PaidOn: "2021-3-15", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"timestamp", models.Payment{PaidOn: "2021-03-15T00:00:00Z", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"impossible date", models.Payment{PaidOn: "2021-02-30", Reference: "abc"}, now, []string{"data.paid_on"}},
		{"empty date", models.Payment{Reference: "abc"}, now, []string{"data.paid_on"}},
		{"reference too short", models.Payment{PaidOn: "2021-03-15", Reference: "ab"}, now, []string{"data.reference"}},
		{"reference empty", models.Payment{PaidOn: "2021-03-15"}, now, []string{"data.reference"}},
		{"reference too long", models.Payment{PaidOn: "2021-03-15", Reference: strings.Repeat("r", 65)}, now, []string{"data.reference"}},
		{"both wrong", models.Payment{PaidOn: "soon", Reference: "x"}, now, []string{"data.paid_on", "data.reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validatePayment(tt.p, tt.now)
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, models.EInvalid, e.Code)
			got := make([]string, 0, len(e.Fields))
			for f := range e.Fields {
				got = append(got, f)
			}
			require.ElementsMatch(t, tt.fields, got)
		})
	}

	err := validatePayment(models.Payment{PaidOn: "2021-03-17", Reference: "abc"}, now)
	var e *models.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "must not be in the future", e.Fields["data.paid_on"])
}

// validatePayment checks p as the disbursement task's completion does: its fields, then its date.
func validatePayment(p models.Payment, now time.Time) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	payload, err := models.Completion{Outcome: models.OutcomePaid, Data: data}.Payload(models.TaskDisbursement)
	if err != nil {
		return err
	}
	return payload.(*models.PaymentCompletion).Data.Check(now)
}
