"""HTTP client for the kiosk routes of kiosk/backend/API.md.

Every answer the kiosk cannot use becomes one of a few typed errors, chosen by what the caller
should do next: `Unavailable` (retry later: no network, timeout, 5xx, 429), `Unauthorized`
(stop: the token was revoked), `KeyConflict` (409: never retry that batch), `Rejected` (422:
the backend names what it refused). Pulled files (catalogue, FAQ, model) are validated and
then swapped in atomically, so the kiosk always has a complete, usable copy offline.

A 429 (or 503) with `Retry-After` is honoured here, whatever the caller's own backoff: the same
call (method + path) is not sent again before that time; until then it fails at once with
`Unavailable` whose `retry_after_s` says how long is left.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from catalogue import CatalogueError, parse_catalogue
from kiosk.sync.events import canonical_uuid
from kiosk.sync.outbox import Batch

JPEG_MAGIC = b"\xff\xd8\xff"
MAX_SNAPSHOT_BYTES = 300 * 1024  # API.md
MODEL_POINTER = "current.json"
DEFAULT_RETRY_AFTER_S = 1.0  # a 429 without a usable Retry-After still pauses that call
MAX_RETRY_AFTER_S = 3600.0  # a broken or hostile header cannot silence a call for days


class BackendError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Unavailable(BackendError):
    """The backend could not be reached or failed on its side; try again later (not before
    `retry_after_s` seconds when the backend said so)."""

    def __init__(self, message: str, status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(message, status)
        self.retry_after_s = retry_after_s


class Unauthorized(BackendError):
    """The kiosk token is missing, unknown or revoked."""


class KeyConflict(BackendError):
    """409: this Idempotency-Key was already used for a different body."""


class Rejected(BackendError):
    """422 (or 413): the backend refused the request as invalid; `detail` says what."""

    def __init__(self, message: str, status: int, detail: Any) -> None:
        super().__init__(message, status)
        self.detail = detail


@dataclass(frozen=True)
class Ingested:
    accepted: int
    duplicate: bool


@dataclass(frozen=True)
class HeartbeatInfo:
    software_version: str
    model_version: str
    fps: float
    camera_state: str  # ok | lost | none
    uptime_s: float
    last_error: str | None = None


@dataclass(frozen=True)
class Pulled:
    changed: bool
    version: str | None  # None: the backend has nothing of this kind (no model published)


@dataclass(frozen=True)
class HelpTicket:
    id: int
    status: str  # open | acknowledged | resolved
    acknowledged_at: str | None


@dataclass(frozen=True)
class HandoffTicket:
    code: str
    url: str  # "/h/<code>", relative to the backend's public address
    expires_at: str


def rejected_event_indices(detail: Any) -> list[int]:
    """Indices of the events a FastAPI 422 names (loc = body, events, <index>, ...)."""
    found: set[int] = set()
    if isinstance(detail, list):
        for err in detail:
            loc = err.get("loc", []) if isinstance(err, dict) else []
            if len(loc) >= 3 and loc[0] == "body" and loc[1] == "events" and isinstance(loc[2], int):
                found.add(loc[2])
    return sorted(found)


def retry_after_seconds(value: str | None, now_epoch: float) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), within 0..1 hour."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - now_epoch
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def atomic_write(path: Path, content: bytes) -> None:
    """Write-then-rename in the same folder, fsynced: a reader sees the old file or the new
    one, never half of one, even if the power goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cached_version(path: Path) -> str | None:
    """The `version` of a cached JSON document, or None if there is no usable copy."""
    try:
        version = json.loads(path.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(version)


def current_model(model_dir: Path) -> dict[str, str] | None:
    """{"version", "sha256", "file"} of the model the kiosk last installed, or None."""
    try:
        pointer = json.loads((model_dir / MODEL_POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (model_dir / pointer.get("file", "")).is_file():
        return pointer
    return None


def check_faq(data: Any) -> None:
    """Raises ValueError unless `data` has the shape of API.md's FAQ answer."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or "version" not in data:
        raise ValueError("FAQ answer lacks version or entries")
    if not isinstance(data.get("store"), dict):
        raise ValueError("FAQ answer lacks the store block")
    for i, entry in enumerate(data["entries"]):
        missing = {"id", "question_en", "question_ar", "answer_en", "answer_ar"} - set(entry)
        if missing:
            raise ValueError(f"FAQ entry {i} lacks {sorted(missing)}")


class BackendClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._clock = clock
        self._not_before: dict[str, float] = {}  # "METHOD path" -> clock time it may be sent again
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            # connect fast-fails an absent backend; read allows a slow database write.
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def set_token(self, token: str) -> None:
        self._http.headers["Authorization"] = f"Bearer {token}"

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        call = f"{method} {url}"
        wait = self._not_before.get(call, 0.0) - self._clock()
        if wait > 0:
            raise Unavailable(f"{call}: the backend asked to wait; {math.ceil(wait)} s left", 429, wait)
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:  # refused, reset, DNS, every kind of timeout
            raise Unavailable(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        return self._check(method, url, response)

    def _check(self, method: str, url: str, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 300 or status == 304:
            return response
        where = f"{method} {url}: {status}"
        if status in (401, 403):
            raise Unauthorized(f"{where} (kiosk token refused)", status)
        if status == 409:
            raise KeyConflict(f"{where} {response.text[:200]}", status)
        if status in (413, 422):
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:500]
            raise Rejected(f"{where} {json.dumps(detail)[:500]}", status, detail)
        if status >= 500 or status == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"), time.time())
            if status == 429 and wait is None:
                wait = DEFAULT_RETRY_AFTER_S
            if wait:
                self._not_before[f"{method} {url}"] = self._clock() + wait
            raise Unavailable(where, status, wait)
        raise BackendError(f"{where} {response.text[:200]}", status)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise Unavailable(f"{response.request.url}: answer is not JSON", response.status_code) from exc

    # -- events, heartbeat ------------------------------------------------------------------
    def send_events(self, batch: Batch) -> Ingested:
        response = self._send(
            "POST", "/api/v1/kiosk/events", json=batch.body(), headers={"Idempotency-Key": batch.batch_id}
        )
        body = self._json(response)
        return Ingested(accepted=int(body["accepted"]), duplicate=bool(body["duplicate"]))

    def heartbeat(self, info: HeartbeatInfo) -> dict[str, Any]:
        body = {
            "software_version": info.software_version,
            "model_version": info.model_version,
            "fps": round(float(info.fps), 2),
            "camera_state": info.camera_state,
            "uptime_s": round(float(info.uptime_s), 1),
            "last_error": info.last_error[:500] if info.last_error else None,
        }
        return self._json(self._send("POST", "/api/v1/kiosk/heartbeat", json=body))

    # -- cached documents ---------------------------------------------------------------------
    def _pull_document(self, url: str, cache: Path, validate: Callable[[Any], object]) -> Pulled:
        have = cached_version(cache)
        headers = {"If-None-Match": f'"{have}"'} if have is not None else {}
        response = self._send("GET", url, headers=headers)
        if response.status_code == 304:
            return Pulled(changed=False, version=have)
        data = self._json(response)
        try:
            validate(data)
        except (CatalogueError, ValueError, KeyError, TypeError) as exc:
            # The cached copy stays: a broken document from the server never replaces a good one.
            raise BackendError(f"GET {url}: refused an invalid document: {exc}") from exc
        atomic_write(cache, response.content)
        return Pulled(changed=True, version=str(data["version"]))

    def pull_catalogue(self, cache: Path) -> Pulled:
        return self._pull_document("/api/v1/kiosk/catalogue", cache, parse_catalogue)

    def pull_faq(self, cache: Path) -> Pulled:
        return self._pull_document("/api/v1/kiosk/faq", cache, check_faq)

    # -- recommender model --------------------------------------------------------------------
    def pull_model(self, model_dir: Path, on_model: Callable[[Path, str], None]) -> Pulled:
        """Downloads the published model if it differs from the installed one, verifies size and
        sha256, moves it into `model_dir` and hands it to `on_model(path, sha256)`. Only when
        that returns is it recorded as current; any failure leaves the current model as it was."""
        try:
            info = self._json(self._send("GET", "/api/v1/kiosk/model"))
        except BackendError as exc:
            if exc.status == 404:
                return Pulled(changed=False, version=None)
            raise
        sha256, size, version, url = (
            str(info["sha256"]).lower(),
            int(info["size"]),
            str(info["version"]),
            info["url"],
        )
        installed = current_model(model_dir)
        if installed is not None and installed["sha256"] == sha256:
            return Pulled(changed=False, version=version)
        base = httpx.URL(self.base_url)
        target = base.join(url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise BackendError(
                f"model url {url!r} is not on the backend; the kiosk token is not sent elsewhere"
            )
        model_dir.mkdir(parents=True, exist_ok=True)
        final = model_dir / f"recommender-{sha256[:16]}.onnx"
        self._download(target, final, sha256, size)
        try:
            on_model(final, sha256)
        except BaseException:
            final.unlink(missing_ok=True)
            raise
        atomic_write(
            model_dir / MODEL_POINTER,
            json.dumps({"version": version, "sha256": sha256, "file": final.name}).encode(),
        )
        for old in model_dir.glob("recommender-*.onnx"):
            if old != final:
                old.unlink(missing_ok=True)
        return Pulled(changed=True, version=version)

    def _download(self, url: httpx.URL, final: Path, sha256: str, size: int) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".download-", suffix=".part")
        tmp = Path(tmp_name)
        digest = hashlib.sha256()
        got = 0
        try:
            with os.fdopen(fd, "wb") as f:
                try:
                    with self._http.stream("GET", url) as response:
                        self._check("GET", str(url), response)
                        for chunk in response.iter_bytes(1 << 16):
                            got += len(chunk)
                            if got > size:  # never fill the disk with a stream longer than promised
                                raise BackendError(f"model download longer than the announced {size} bytes")
                            digest.update(chunk)
                            f.write(chunk)
                except httpx.TransportError as exc:
                    raise Unavailable(f"model download: {type(exc).__name__}: {exc}") from exc
                f.flush()
                os.fsync(f.fileno())
            if got != size or digest.hexdigest() != sha256:
                raise BackendError(
                    f"model download failed verification: {got} bytes (want {size}), "
                    f"sha256 {digest.hexdigest()[:12]}… (want {sha256[:12]}…)"
                )
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        finally:
            tmp.unlink(missing_ok=True)

    # -- help requests, handoffs --------------------------------------------------------------
    def create_help_request(self, session_id: str, reason: str, note: str = "") -> HelpTicket:
        body = {"session_id": canonical_uuid(session_id, "session_id"), "reason": reason, "note": note}
        answer = self._json(self._send("POST", "/api/v1/kiosk/help-requests", json=body))
        return HelpTicket(id=int(answer["id"]), status=answer["status"], acknowledged_at=None)

    def help_request(self, help_id: int) -> HelpTicket:
        answer = self._json(self._send("GET", f"/api/v1/kiosk/help-requests/{int(help_id)}"))
        return HelpTicket(
            id=int(answer["id"]), status=answer["status"], acknowledged_at=answer.get("acknowledged_at")
        )

    def create_handoff(
        self, session_id: str, items: list[dict[str, str | None]], snapshot_jpeg: bytes | None = None
    ) -> HandoffTicket:
        """`snapshot_jpeg` only when the shopper ticked "include my photo"; it must be a JPEG."""
        snapshot_b64 = None
        if snapshot_jpeg is not None:
            if not snapshot_jpeg.startswith(JPEG_MAGIC):
                raise ValueError("the handoff snapshot must be a JPEG")
            if len(snapshot_jpeg) > MAX_SNAPSHOT_BYTES:
                raise ValueError(
                    f"the handoff snapshot is {len(snapshot_jpeg)} bytes; at most {MAX_SNAPSHOT_BYTES}"
                )
            snapshot_b64 = base64.b64encode(snapshot_jpeg).decode("ascii")
        body = {
            "session_id": canonical_uuid(session_id, "session_id"),
            "items": [{"product_id": i["product_id"], "shade_sku": i.get("shade_sku")} for i in items],
            "snapshot_jpeg_b64": snapshot_b64,
        }
        answer = self._json(self._send("POST", "/api/v1/kiosk/handoffs", json=body))
        return HandoffTicket(code=answer["code"], url=answer["url"], expires_at=answer["expires_at"])

    # -- privacy ------------------------------------------------------------------------------
    def erase_session(self, session_id: str) -> int:
        """Asks the backend to erase everything of one shopper session (events, skin tone, help
        requests, looks and photos); returns how many rows went. Idempotent: a repeat (e.g.
        after a lost answer) returns 0, so callers simply retry on `Unavailable`."""
        sid = canonical_uuid(session_id, "session_id")
        answer = self._json(self._send("POST", f"/api/v1/kiosk/sessions/{sid}/erase"))
        return int(answer["erased"])
