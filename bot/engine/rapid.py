"""rapidfuzz's `fuzz`, `process` and `OSA`, imported on first use.

Most questions never need a fuzzy match (every word and name is known), and importing rapidfuzz is about
15 ms, a tenth of a cold `python -m bot ask`. The engine's modules read these names as `rapid.fuzz`,
`rapid.process` and `rapid.OSA`; the first read imports rapidfuzz and keeps the three here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

__all__ = ["OSA", "fuzz", "process"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    globals().update(fuzz=fuzz, process=process, OSA=OSA)
    return globals()[name]
