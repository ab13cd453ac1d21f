"""The disbursement ledger of grant agreements: its operations, its queries, payments in
another currency, and the one definition of every amount of an award's money (``money``)."""
