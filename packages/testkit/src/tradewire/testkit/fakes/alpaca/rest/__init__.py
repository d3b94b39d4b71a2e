"""The fake's REST handlers: the Trading API (`trading`) and Market Data (`data`)."""
