"""Jobs: a pipeline run on a snapshot of its project, now, once at a given time or on a cron
schedule, once for every chosen combination of parameter values; their runs are kept."""
