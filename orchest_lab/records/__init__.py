"""What runs are, as every layer sees them: statuses, run and step records, step failures.

The bottom of the engine's packages: the run engine, the executors, the data hooks, the
environments, the store and the event publishers all import these and nothing here imports them.
"""

from .runs import RunRecord, Status, StepFailure, StepRecord, now

__all__ = ["RunRecord", "Status", "StepFailure", "StepRecord", "now"]
