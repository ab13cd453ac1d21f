"""Coalitions, action-plan commitments, capacity-building events and indicators."""

# How an organisation merge treats coalitions' tables (a receiver of organisation_merging).
from coalitions import organisation_merging  # noqa: E402,F401
