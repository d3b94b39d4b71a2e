"""The Alpaca adapter: US equities and crypto on Alpaca's paper and live platforms, as a Venue."""
