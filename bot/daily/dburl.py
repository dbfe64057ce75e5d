"""Database URLs: which ones select PostgreSQL, and how to show one without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(target: str | Path) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL."""
    return isinstance(target, str) and target.partition("://")[0].lower() in POSTGRES_SCHEMES


SECRET_PARAMETERS = ("password", "passfile")  # query parameters a URL may carry a secret in


def redact(url: str) -> str:
    """The URL without its password (in the user part or as `?password=`), for logs and error messages (a URL
    that does not parse: only its scheme)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
            netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        query = "&".join(f"{k}=***" if k.lower() in SECRET_PARAMETERS else (f"{k}={v}" if sep else k)
                         for k, sep, v in (p.partition("=") for p in parts.query.split("&") if p))
    except ValueError:
        return url.partition("://")[0] + "://(a malformed URL)"
    return urlunsplit(parts._replace(netloc=netloc, query=query))
