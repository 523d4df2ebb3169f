"""A guard against reference-counting bugs in some PySide6 releases.

PySide6 6.12.0 returns ``None`` from void methods (``QPainter.setPen``, ...) and
``True`` from ``SignalInstance.emit`` without owning a reference, so each such call
takes one reference from the singleton. Python 3.12+ makes the singletons immortal
and never notices; on 3.11 the count reaches zero within minutes of painting and the
interpreter aborts ("none_dealloc", "bool_dealloc"). Where a probe shows the bug, the
singletons get a reference count so large that no session can use it up, which is
what immortality means on 3.12.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject, Signal

#: References given to each singleton; a leak of one per call would need ~10^12 calls.
_RESERVE = 1 << 40


class _Probe(QObject):
    fired = Signal()


def _calls_take_references() -> bool:
    probe = _Probe()
    none, true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")
        probe.fired.emit()
    return sys.getrefcount(None) < none or sys.getrefcount(True) < true


@functools.cache
def install() -> None:
    if sys.version_info >= (3, 12) or not _calls_take_references():
        return
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object (CPython's PyObject layout).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _RESERVE
