"""Live broker adapters, each a `tradewire.protocol.Venue`, on the shared layer in `_live`."""
