"""The results framework: outcomes, outputs, indicators and targets."""

# Other exports take the results against targets through core.contributions
# ("results.against_targets"): import the provider whichever module loads first.
# The IATI file's results (reporting.iati.results): registered as the package loads.
from reporting.results import iati as _iati  # noqa: E402,F401
from reporting.results import queries as _queries  # noqa: E402,F401
