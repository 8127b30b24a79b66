"""What every benchmark reports beside its numbers: the machine, the process's memory,
and the percentiles the latency tables use."""

from __future__ import annotations

import math
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


def describe() -> str:
    """One line naming the machine: cores, CPU model, Python."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm (no psutil needed)."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * PAGE_SIZE


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def deep_size(root: Any) -> int:
    """Bytes held by `root` and everything it reaches through msgspec structs, slotted
    objects, lists, tuples and dicts, each object counted once (`sys.getsizeof`, so
    without the allocator's own overhead)."""
    seen: set[int] = set()
    total, pending = 0, [root]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, msgspec.Struct):
            pending.extend(getattr(item, name) for name in item.__struct_fields__)
        elif hasattr(type(item), "__slots__"):
            pending.extend(getattr(item, name) for name in type(item).__slots__ if hasattr(item, name))
    return total
