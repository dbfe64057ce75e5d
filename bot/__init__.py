"""A bot that answers questions about The Korea Times' June 2020 ASEAN envoys roundtable."""

import sys


def _import_msgspec() -> None:
    """Import msgspec without `typing_extensions`, which it reads only for what `typing` itself has from Python 3.11
    on (`get_type_hints` with extras, `Required`); that import (with `inspect`) is some 6 ms of every cold start.
    It is masked only while msgspec imports, before any other thread runs, and msgspec keeps its choice; the next
    import of `typing_extensions` (aiohttp's, on the Discord path) finds the real module."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # None in sys.modules: ImportError
    try:
        import msgspec  # noqa: F401
    finally:
        if sys.modules.get("typing_extensions", 0) is None:
            del sys.modules["typing_extensions"]


_import_msgspec()
