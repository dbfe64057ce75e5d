"""Database URLs: which ones select PostgreSQL, and how to show one without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(target: str | Path) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL."""
    return isinstance(target, str) and target.partition("://")[0].lower() in POSTGRES_SCHEMES


def redact(url: str) -> str:
    """The URL without its password, for logs and error messages (a URL that does not parse: only its scheme)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return url.partition("://")[0] + "://(a malformed URL)"
    return urlunsplit(parts._replace(netloc=netloc))
