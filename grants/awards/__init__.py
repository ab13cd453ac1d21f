"""Grant agreements, tranche schedules and the disbursement ledger."""
