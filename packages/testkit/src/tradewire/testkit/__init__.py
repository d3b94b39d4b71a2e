"""Tradewire testkit: the conformance suite (`tradewire.testkit.conformance`) and shared test tooling."""

__all__: list[str] = []
