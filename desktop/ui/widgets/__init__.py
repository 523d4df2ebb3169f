"""Reusable input widgets: one per kind of job field, plus the customer picker."""
