"""The sync worker thread and what the window says about where sync stands."""
