"""Clean: drop outliers from the loaded data."""

import statistics

import orchest

table = orchest.get_inputs()["measurements"]
max_deviation = orchest.get_step_param("max_deviation", 10)
median = statistics.median(row["x"] for row in table)
cleaned = [row for row in table if abs(row["x"] - median) < max_deviation * median]
print(f"kept {len(cleaned)} of {len(table)} rows")
orchest.output(cleaned, name="cleaned")
