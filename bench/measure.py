"""Timing and reporting shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], rounds: int = 30, warmup: int = 3) -> float:
    """Median wall time of ``action`` in milliseconds, after a few warm-up calls."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(name: str, figure: float, target: float, unit: str = "ms", *,
           higher_is_better: bool = False) -> bool:
    """Print one figure beside its target; returns whether the target was met."""
    met = figure >= target if higher_is_better else figure <= target
    sign = ">=" if higher_is_better else "<="
    print(f"{'PASS' if met else 'MISS'}  {name:<58} {figure:>10.2f} {unit:<4} "
          f"(target {sign} {target:g} {unit})", flush=True)
    return met


def machine_speed_ms() -> float:
    """A fixed pure-Python workload, printed beside the figures.

    The development machine is shared and its speed drifts by 2x between runs;
    this reference lets two runs' figures be compared with each other.
    """
    def work() -> int:
        total = 0
        for n in range(200_000):
            total += n % 7
        return total

    return median_ms(work, rounds=9, warmup=1)


def print_machine_speed() -> None:
    print(f"      reference workload: {machine_speed_ms():.1f} ms "
          "(lower is a faster machine at this moment)", flush=True)
