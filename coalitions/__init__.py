"""Coalitions, action-plan commitments, capacity-building events and indicators."""
