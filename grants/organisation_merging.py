"""How merging two organisations treats grants' references to them.

Nothing in grants must stay unique per organisation, so every reference simply moves to the
kept organisation: its applications (as applicant or counterpart), the funds it gives or
manages, and reviewers' declared conflicts with it (two declarations by one reviewer, one
about each organisation, both stay, with their reasons).
"""

from __future__ import annotations

from accounts.organisations.merging import handle_references

handle_references("applications", "organisation_id", "counterpart_organisation_id")
handle_references("funds", "donor_organisation_id", "managing_organisation_id")
handle_references("conflict_declarations", "organisation_id")
