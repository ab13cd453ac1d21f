"""Every column that refers to a user account, and what becomes of its rows if the account
goes away.

Accounts are disabled (``accounts.operations.set_enabled``), never deleted, merged or
anonymised, so nothing acts on this list yet. It records, for each reference, what the
database does when a user row is deleted (its ON DELETE, which a test keeps in step with the
models) and why, so that a deletion, anonymisation or account-merge feature starts from one
complete list, and no table referring to users can be added without deciding this
(``tests/test_organisation_merging.py`` fails on a reference missing here).

``SET NULL``: the record is the programme's and outlives the person; it keeps their name or
email in its text where that matters. ``CASCADE``: the row only says something about the
person and goes with them. ``RESTRICT``: deleting the person must be refused until the rows
are reassigned, because the work they stand for would otherwise vanish.
"""

from __future__ import annotations

from typing import NamedTuple


class UserReference(NamedTuple):
    on_delete: str
    why: str


_KEEP_RECORD = "a record of the programme's work, kept when its author goes"

USER_REFERENCES: dict[tuple[str, str], UserReference] = {
    # core
    ("audit_entries", "actor_id"): UserReference(
        "SET NULL", "the audit log is append-only; the summary keeps who acted"),
    ("stored_files", "uploaded_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("jobs", "requested_by_id"): UserReference(
        "SET NULL", "the job's record stays; its file was its requester's alone, so no one "
        "may open it any more"),
    # accounts
    ("user_roles", "user_id"): UserReference("CASCADE", "the person's own roles"),
    ("user_invitations", "user_id"): UserReference(
        "CASCADE", "an invitation addressed to the person"),
    ("user_invitations", "invited_by_id"): UserReference(
        "SET NULL", "the invitation stays valid when whoever sent it goes"),
    ("organisation_members", "user_id"): UserReference(
        "CASCADE", "the person's own memberships; an organisation keeps its other owners"),
    ("organisation_invitations", "invited_by_id"): UserReference(
        "SET NULL", "the invitation stays valid when whoever sent it goes"),
    # grants
    ("applications", "created_by_id"): UserReference(
        "SET NULL", "the application belongs to the organisation, not to its author"),
    ("application_attachments", "uploaded_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("eligibility_checks", "checked_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("endorsements", "recorded_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("panels", "chair_id"): UserReference("SET NULL", "the panel stays, without a chair"),
    ("panels", "locked_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("panel_members", "user_id"): UserReference(
        "RESTRICT", "a reviewer's panel seat and its reviews must be reassigned first"),
    ("review_assignments", "reviewer_id"): UserReference(
        "RESTRICT", "scores given count in the ranking; reassign before removing"),
    ("review_assignments", "assigned_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("conflict_declarations", "reviewer_id"): UserReference(
        "CASCADE", "a conflict only says something about that reviewer"),
    ("late_conflict_resolutions", "decided_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("decisions", "decided_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("awards", "created_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("disbursements", "requested_by_id"): UserReference(
        "SET NULL", "the ledger is append-only; its audit entries keep who did what"),
    ("disbursements", "approved_by_id"): UserReference(
        "SET NULL", "the ledger is append-only; its audit entries keep who did what"),
    ("disbursements", "paid_by_id"): UserReference(
        "SET NULL", "the ledger is append-only; its audit entries keep who did what"),
    ("disbursements", "rejected_by_id"): UserReference(
        "SET NULL", "the ledger is append-only; its audit entries keep who did what"),
    ("disbursements", "cancelled_by_id"): UserReference(
        "SET NULL", "the ledger is append-only; its audit entries keep who did what"),
    ("report_versions", "submitted_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("report_versions", "reviewed_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    # coalitions
    ("consultations", "created_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("consultations", "summary_published_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("participation_profiles", "user_id"): UserReference(
        "CASCADE", "what the person said about themselves; the counts lose one participant"),
    ("consultation_proposals", "author_id"): UserReference(
        "SET NULL", "a proposal is part of the public record of the consultation"),
    ("consultation_proposals", "hidden_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("consultation_proposals", "responded_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("consultation_comments", "author_id"): UserReference(
        "SET NULL", "a comment is part of the public record of the consultation"),
    ("consultation_comments", "hidden_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    ("consultation_supports", "user_id"): UserReference(
        "CASCADE", "a support only says something about the person who gave it"),
    ("consultation_reports", "reporter_id"): UserReference(
        "CASCADE", "a report of abuse only says something about who sent it"),
    ("consultation_reports", "resolved_by_id"): UserReference("SET NULL", _KEEP_RECORD),
    # reporting
    ("project_publications", "updated_by_id"): UserReference("SET NULL", _KEEP_RECORD),
}
