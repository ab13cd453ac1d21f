"""Coalitions of organisations, their memberships over time and their activities."""
