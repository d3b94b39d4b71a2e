"""What every broker adapter shares: backoff, rate limits, idempotent submit, resync, the store, config."""
