"""Load and fault test: the application under gunicorn on PostgreSQL, driven by concurrent
signed-in clients through its real pages, while the SMTP server goes away for a while and a
worker is killed; afterwards every acknowledged write, the ledger and the outbox are checked
in the database.

Run it with ``make loadtest`` (options through ``LOADTEST_ARGS``, see ``--help``).
"""
