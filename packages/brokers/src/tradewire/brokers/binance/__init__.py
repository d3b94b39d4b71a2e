"""Binance Spot (`binance-testnet`, `binance-live`) as a Tradewire Venue."""
