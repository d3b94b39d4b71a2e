"""The conformance suite: scenarios with IDs, run against any venue chosen with `--target`."""
