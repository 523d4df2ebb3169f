"""Documents made from jobs: printed sheets, CSV and iCalendar exports, the File menu."""
