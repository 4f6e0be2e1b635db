"""What runs and jobs are, as every layer sees them: statuses, run, step and job records.

The bottom of the engine's packages: the run engine, the executors, the data hooks, the
environments, the store and the event publishers all import these and nothing here imports them.
"""

from .cells import CellAppend, CellUpdate
from .jobs import JobRecord, JobStatus
from .runs import RunRecord, Status, StepFailure, StepRecord, now

__all__ = [
    "CellAppend",
    "CellUpdate",
    "JobRecord",
    "JobStatus",
    "RunRecord",
    "Status",
    "StepFailure",
    "StepRecord",
    "now",
]
