"""Keep the kiosk's resident memory flat over a day.

glibc gives every thread that allocates its own malloc arena (up to 8 per core), and
freed memory in one arena is not reused by another. The kiosk's threads (capture, pipeline,
renderer, UI server, I/O workers) each churn through frame-sized numpy buffers, so resident
memory crept up ~17% over a 20-minute soak; with two arenas it stayed flat (`python -m
kiosk.app.soak`, figures in the kiosk's issue note). Called first thing in `kiosk run` /
`kiosk demo`, before any thread starts, so every later arena obeys it.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # from glibc's malloc.h


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas; False where the C library is not glibc (nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
