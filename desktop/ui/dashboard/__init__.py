"""The Dashboard page: jobs by status, the next two weeks, the month's amounts, sync."""
