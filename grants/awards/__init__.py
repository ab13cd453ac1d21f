"""Grant agreements and their tranche schedules; their ledger is ``grants.ledger``."""
