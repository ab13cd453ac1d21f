"""Grant-making: calls for proposals, applications, reviews, awards and monitoring."""

# How an organisation merge treats grants' tables.
from grants import organisation_merging  # noqa: E402,F401

# Later stages answer earlier ones through core.contributions (a call asks its applications
# whether any were submitted...): import the providers, so that they are in place whichever
# grants module is imported first.
from grants.applications import queries as _applications_queries  # noqa: E402,F401
from grants.awards import policies as _awards_policies  # noqa: E402,F401
from grants.awards import queries as _awards_queries  # noqa: E402,F401
from grants.endorsements import operations as _endorsements_operations  # noqa: E402,F401
from grants.endorsements import policies as _endorsements_policies  # noqa: E402,F401
from grants.ledger import queries as _ledger_queries  # noqa: E402,F401
from grants.monitoring import award_reports as _award_reports  # noqa: E402,F401
from grants.ranking import policies as _ranking_policies  # noqa: E402,F401
