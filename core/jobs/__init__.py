"""Background jobs: work too long for a request (a large export, a large import), queued in
the database and run by the worker process, with its progress shown on a page."""
