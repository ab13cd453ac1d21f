"""Blinker signals through which packages react to each other without importing each other."""

from blinker import Namespace

_signals = Namespace()

#: Sent with ``sender=kept`` and ``duplicate=`` before a duplicate organisation is merged away,
#: so that packages holding rows that must stay unique per organisation can resolve them.
organisation_merging = _signals.signal("organisation-merging")
