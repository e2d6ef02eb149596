"""gleaner output: the record schema, writers (JSONL, CSV, Parquet) and the pandas loader."""
