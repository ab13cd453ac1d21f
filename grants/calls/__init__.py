"""Funds and calls for proposals."""
