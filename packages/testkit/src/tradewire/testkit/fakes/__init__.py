"""Wire-level fakes of real brokers: independent oracles the broker adapters are tested against."""
