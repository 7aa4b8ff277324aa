package workflows

// SignalServiceDecision tells a candidate service's workflow the committee's decision on
// it (a models.ServiceOutcome: selected or not selected, with the reason); its budget is
// the one the decision reserved, read from the database. The campaign's workflow sends it
// once the chair's decision is recorded.
const SignalServiceDecision = "service_decision"

// SignalCampaignPhase tells a candidate service's workflow the phase its campaign has
// entered (a models.Phase). The campaign's workflow sends it at each transition to every
// service of the campaign that has not closed.
const SignalCampaignPhase = "campaign_phase"
