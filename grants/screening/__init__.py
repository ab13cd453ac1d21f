"""Eligibility screening: staff check each submitted application against the call's
checklist and record it as eligible (it goes on to review) or ineligible (with a reason sent
to the applicant)."""
