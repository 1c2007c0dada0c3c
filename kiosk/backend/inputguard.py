"""Text the databases cannot store is refused at the door, for every route at once.

PostgreSQL rejects a NUL character in any text value, and a lone UTF-16 surrogate (JSON allows
"\\ud800") cannot be encoded as UTF-8 by either database driver: left alone, both end as a 500
with a traceback deep in a flush. Rather than a validator on each of a hundred string fields,
`InputGuard` scans what carries text into the app (the path, the query string, JSON and
url-encoded form bodies) and answers 400 before any route runs. Multipart bodies are left to
their routes because they carry binary files; the catalogue import, which reads text files
from them, uses `loads_json` and `unstorable` below.

The body scan is a handful of C-speed regular expressions over bytes, cheap enough for the
event ingest path.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import Path, Query
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 32  # no document this service accepts nests anywhere near this deep

# A JSON escape counts only after an odd run of backslashes ("\\u0000" is text). Matching the
# whole run (a match can only start at a backslash) keeps these fast on escape-free bodies.
_JSON_NUL = re.compile(rb"(\\+)u0000")
_JSON_SURROGATE = re.compile(rb"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")  # UTF-8 bytes of U+D800..U+DFFF
_PERCENT_BAD = re.compile(rb"%00|%[eE][dD]%[aAbB][0-9a-fA-F]")  # %-encoded NUL or surrogate
_TEXT_BAD = re.compile("[\x00\ud800-\udfff]")

# Row ids are 32-bit integers on PostgreSQL: a 20-digit id must be a 422, not an overflow in the driver.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]

PROBLEM = "the request contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored"


def unstorable(text: str) -> bool:
    """True if `text` has a NUL or a lone surrogate (a proper pair decodes to one code point)."""
    return _TEXT_BAD.search(text) is not None


def _lone_surrogate_escape(body: bytes) -> bool:
    """True if some \\uD800-\\uDFFF escape is not part of a high+low pair written back to back."""
    matches = [m for m in _JSON_SURROGATE.finditer(body) if len(m.group(1)) % 2]
    i = 0
    while i < len(matches):
        unit = int(matches[i].group(2), 16)
        if unit >= 0xDC00:  # a low half with no high half before it
            return True
        following = matches[i + 1] if i + 1 < len(matches) else None
        if following is None or int(following.group(2), 16) < 0xDC00:
            return True
        if len(following.group(1)) != 1 or following.start() != matches[i].end():  # low half at once
            return True
        i += 2
    return False


def json_body_is_unstorable(body: bytes) -> bool:
    if b"\x00" in body or _RAW_SURROGATE.search(body):
        return True
    if b"\\" not in body:  # no escapes at all: the common case of kiosk traffic
        return False
    if any(len(m.group(1)) % 2 for m in _JSON_NUL.finditer(body)):
        return True
    return _lone_surrogate_escape(body)


def form_body_is_unstorable(body: bytes) -> bool:
    return b"\x00" in body or _PERCENT_BAD.search(body) is not None or _RAW_SURROGATE.search(body) is not None


def row_id(text: str) -> int:
    """A row id typed into a form field; ValueError unless it is a whole number in range."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
        raise ValueError(f"id must be a whole number from 1 to {MAX_ROW_ID}")
    return int(text)


class InputTooDeep(ValueError):
    pass


def loads_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads for documents staff upload: refuses nesting beyond `max_depth` (100,000 '['
    would otherwise exhaust the interpreter's recursion) and strings the database cannot store.
    Raises json.JSONDecodeError, InputTooDeep or ValueError with a message fit for the user."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputTooDeep(f"nested deeper than {max_depth} levels") from None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise InputTooDeep(f"nested deeper than {max_depth} levels")
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                if isinstance(key, str) and unstorable(key):
                    raise ValueError(PROBLEM)
                stack.append((child, depth + 1))
        elif isinstance(value, str) and unstorable(value):
            raise ValueError(PROBLEM)
    return data


def _kind(scope: Scope) -> str | None:
    """'json', 'form' or None (not scanned) from the Content-Type; FastAPI parses a body with
    no Content-Type as JSON, so that counts as JSON too."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            if media == b"application/x-www-form-urlencoded":
                return "form"
            return "json" if media.endswith(b"json") else None
    return "json"


class InputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if unstorable(scope["path"]) or form_body_is_unstorable(scope.get("query_string", b"")):
            await _refuse(send)
            return
        kind = _kind(scope) if scope["method"] in ("POST", "PUT", "PATCH") else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        bad = json_body_is_unstorable(body) if kind == "json" else form_body_is_unstorable(body)
        if bad:
            await _refuse(send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": PROBLEM}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
