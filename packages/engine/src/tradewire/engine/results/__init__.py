"""Run results: fills, round trips, equity curve, metrics, exports and the HTML report."""
