"""Market data sources (arrays, CSV, Parquet, pandas, synthetic) and their streaming merge."""
