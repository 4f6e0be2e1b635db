"""Clean: drop outliers from the loaded data."""

import statistics

values = [1.0, 2.0, 2.5, 3.0, 250.0]
median = statistics.median(values)
cleaned = [v for v in values if abs(v - median) < 10 * median]
print(f"kept {len(cleaned)} of {len(values)} values")
