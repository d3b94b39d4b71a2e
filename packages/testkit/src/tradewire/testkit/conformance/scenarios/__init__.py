"""Scenario modules, one per area of the wire spec."""
