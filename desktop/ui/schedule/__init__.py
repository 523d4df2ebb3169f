"""The Schedule page: a week or a day of jobs on a time grid, and the Unscheduled tray."""
