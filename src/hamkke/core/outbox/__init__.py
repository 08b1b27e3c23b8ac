"""Core's outbox room: emails and text messages written in the sender's transaction, delivered
after its commit with a timeout, retried with backoff until the backend accepts them."""
