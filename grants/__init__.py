"""Grant-making: calls for proposals, applications, reviews, awards and monitoring."""

# How an organisation merge treats grants' tables.
from grants import organisation_merging  # noqa: E402,F401

# Later stages answer earlier ones through core.contributions (a call asks its applications
# whether any were submitted...): import the providers, so that they are in place whichever
# grants module is imported first.
from grants.applications import queries as _applications_queries  # noqa: E402,F401
