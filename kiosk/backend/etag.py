from __future__ import annotations

from fastapi import Request


def etag_matches(request: Request, etag: str) -> bool:
    """True when If-None-Match names this ETag (or '*'); weak validators compare equal too."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags
