"""The pure simulation core: scaled-int numbers, orders, matching, models, accounts and the kernel."""
