"""Grant-making: calls for proposals, applications, reviews, awards and monitoring."""

# How an organisation merge treats grants' tables.
from grants import organisation_merging  # noqa: E402,F401
