"""The email outbox: messages are queued in the request's transaction and sent by a worker."""
