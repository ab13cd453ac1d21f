"""Coalitions, action-plan commitments and capacity-building events."""

# How an organisation merge treats coalitions' tables (a receiver of organisation_merging).
from coalitions import organisation_merging  # noqa: E402,F401
