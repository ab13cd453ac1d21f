"""Capacity-building events, the people who attend them, and attendance imports."""
