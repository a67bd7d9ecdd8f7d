"""How much memory this process may still take: the machine's free memory, or its address-space ceiling."""

from __future__ import annotations

from pathlib import Path

try:
    import resource
except ImportError:  # not on Windows
    resource = None


def available_bytes() -> int | None:
    """The smaller of the memory the kernel says is available and what is left under ``RLIMIT_AS``.

    ``RLIMIT_AS`` is the web plan worker's ceiling (``PLAN_MEMORY_LIMIT``). None where neither is
    known (no /proc/meminfo and no limit).
    """
    known = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                known.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS) if resource else (None, None)
    if resource and soft != resource.RLIM_INFINITY:
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[0])
            used = pages * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            used = 0
        known.append(max(0, soft - used))
    return min(known) if known else None
