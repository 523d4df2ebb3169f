"""What a dragged job carries, on the schedule and the board alike: its local id, and
where on it the pointer took hold.

The grip matters for a job dragged by its middle on the schedule: it lands with its
top where the top was seen, not where the pointer is.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

JOB_MIME = "application/x-jobdesk-job"


def job_mime(local_id: int, grip_minutes: int = 0) -> QMimeData:
    mime = QMimeData()
    mime.setData(JOB_MIME, json.dumps({"local_id": local_id,
                                       "grip_minutes": grip_minutes}).encode())
    return mime


def dragged_job(mime: QMimeData) -> tuple[int, int] | None:
    """(local id, grip minutes) of a dragged job; ``None`` for anything else."""
    if not mime.hasFormat(JOB_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(JOB_MIME).data()))
        return int(payload["local_id"]), int(payload.get("grip_minutes", 0))
    except (ValueError, KeyError, TypeError):
        return None
