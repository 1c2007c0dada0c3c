"""The sync thread: drains the outbox to the backend, delivers the erasures shoppers asked for,
sends heartbeats, pulls the catalogue, the FAQ and the recommender model, and reports how it
is doing for the UI.

Nothing here blocks the kiosk: events are already durable in the outbox when `record()`
returns, so a dead network only grows the backlog. Failures are sorted by what they mean:
- unreachable / timeout / 5xx: offline; retry with exponential backoff and full jitter;
- 401: the token was revoked; stop calling the backend, keep every event, say so in status;
- 409: that batch's key was used for another body; quarantine the batch, carry on;
- 422: quarantine the event(s) the backend names (or find them by sending one at a time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.sync.client import (
    BackendClient,
    BackendError,
    HeartbeatInfo,
    KeyConflict,
    Rejected,
    Unauthorized,
    Unavailable,
    cached_version,
    rejected_event_indices,
)
from kiosk.sync.options import SyncOptions
from kiosk.sync.outbox import Outbox

log = logging.getLogger(__name__)

HEARTBEAT_RANGE_S = (5.0, 3600.0)  # a remote heartbeat interval outside this is ignored


@dataclass(frozen=True)
class SyncPaths:
    catalogue_cache: Path
    faq_cache: Path
    model_dir: Path


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None until the first attempt
    unauthorized: bool
    backlog: int  # events waiting to be sent
    erasures: int  # shoppers' "forget me" requests the backend has not confirmed yet
    quarantined: int  # batches and events the backend refused, kept for a person to look at
    sent: int  # events acknowledged since start
    last_error: str | None
    last_contact: float | None  # time.time() of the last successful call
    remote_settings: dict[str, Any]


class SyncWorker:
    def __init__(
        self,
        outbox: Outbox,
        client: BackendClient,
        paths: SyncPaths,
        heartbeat_info: Callable[[], HeartbeatInfo],
        *,
        on_model: Callable[[Path, str], None] | None = None,
        on_document: Callable[[str, Path], None] | None = None,
        options: SyncOptions | None = None,
    ) -> None:
        options = options or SyncOptions()
        self.outbox = outbox
        self.client = client
        self.paths = paths
        self._heartbeat_info = heartbeat_info
        self._on_model = on_model
        self._on_document = on_document
        self.batch_size = options.batch_size
        self.heartbeat_s = options.heartbeat_s  # the backend's setting replaces it (heartbeat)
        self.pull_s = options.pull_s
        self.idle_poll_s = options.idle_poll_s
        self.linger_s = options.linger_s
        self.backoff = options.backoff
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_beat = 0.0
        self._next_pull = 0.0
        self._online: bool | None = None
        self._unauthorized = False
        self._sent = 0
        self._last_error: str | None = None
        self._last_contact: float | None = None
        self._remote_settings: dict[str, Any] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> SyncWorker:
        if self._thread is not None:
            raise RuntimeError("sync worker already started")
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stops after the call in flight (bounded by the client's timeouts); events not yet
        acknowledged stay in the outbox for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self) -> None:
        """Something was recorded: send it now instead of at the next poll (no effect during a
        backoff wait, which only a stop cuts short)."""
        self._wake.set()

    def set_token(self, token: str) -> None:
        """A new kiosk token (after a revocation): resume sending."""
        self.client.set_token(token)
        self._unauthorized = False
        self._wake.set()

    def status(self) -> SyncStatus:
        return SyncStatus(
            online=self._online,
            unauthorized=self._unauthorized,
            backlog=self.outbox.backlog(),
            erasures=len(self.outbox.erasures()),
            quarantined=len(self.outbox.quarantined()),
            sent=self._sent,
            last_error=self._last_error,
            last_contact=self._last_contact,
            remote_settings=dict(self._remote_settings),
        )

    # -- the loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            if self._unauthorized:
                self._idle()
                continue
            try:
                self._cycle()
            except Unauthorized as exc:
                self._unauthorized = True
                self._online = False
                self._error(f"kiosk token refused; sending stopped until a new token is set: {exc}")
                continue
            except Unavailable as exc:
                self._online = False
                self._error(str(exc))
                # Pull and beat as soon as the backend is back: it may have changed meanwhile.
                self._next_beat = self._next_pull = 0.0
                self._stop.wait(self.backoff.failed())
                continue
            except BackendError as exc:  # an answer the kiosk cannot use (404 from a wrong URL, …)
                self._error(str(exc))
                self._stop.wait(self.backoff.failed())
                continue
            except Exception as exc:  # a bug must not kill the thread that saves the day's data
                log.exception("sync cycle failed")
                self._error(f"{type(exc).__name__}: {exc}")
                self._stop.wait(self.backoff.failed())
                continue
            self.backoff.succeeded()
            self._idle()

    def _idle(self) -> None:
        if self._wake.wait(self.idle_poll_s):
            # Linger briefly after a nudge so that a burst of events (a session ending) goes as
            # one request instead of one request per event.
            self._stop.wait(self.linger_s)
        self._wake.clear()

    def _cycle(self) -> None:
        self._drain()
        self._erase()
        now = time.monotonic()
        if now >= self._next_beat:
            self._heartbeat()
            self._next_beat = now + self.heartbeat_s
        if now >= self._next_pull:
            self._pulls()
            self._next_pull = now + self.pull_s

    def _contact(self) -> None:
        self._online = True
        self._last_contact = time.time()

    def _error(self, message: str) -> None:
        self._last_error = message
        log.warning("sync: %s", message)

    def _drain(self) -> None:
        while not self._stop.is_set():
            batch = self.outbox.pending(self.batch_size)
            if batch is None:
                return
            try:
                self.client.send_events(batch)
            except KeyConflict as exc:
                self.outbox.quarantine_batch(batch.batch_id, str(exc))
                self._error(f"batch {batch.batch_id} quarantined: {exc}")
                continue
            except Rejected as exc:
                named = [
                    batch.events[i].event_id
                    for i in rejected_event_indices(exc.detail)
                    if i < len(batch.events)
                ]
                self.outbox.reject_events(batch.batch_id, named, str(exc))
                self._error(f"batch {batch.batch_id} refused ({len(named)} event(s) named): {exc}")
                continue
            self._contact()
            self._sent += self.outbox.mark_sent(batch.batch_id)

    def _erase(self) -> None:
        """After the drain, so that a batch holding the session's events that was already on
        its way when the shopper asked lands before the erasure, not after it. Failures go up
        to the loop: the same backoff as events, and the request stays until confirmed."""
        for session_id in self.outbox.erasures():
            if self._stop.is_set():
                return
            self.client.erase_session(session_id)
            self._contact()
            self.outbox.erased(session_id)

    def _heartbeat(self) -> None:
        reply = self.client.heartbeat(self._heartbeat_info())
        self._contact()
        settings = reply.get("settings") or {}
        self._remote_settings = dict(settings)
        interval = settings.get("heartbeat_interval_s")
        if isinstance(interval, int | float) and HEARTBEAT_RANGE_S[0] <= interval <= HEARTBEAT_RANGE_S[1]:
            self.heartbeat_s = float(interval)
        # A new catalogue shows in the shop at once, not at the next pull period. (Models wait
        # for the period: a model the recommender refuses would otherwise re-download every beat.)
        remote = reply.get("catalogue_version")
        if remote is not None and str(remote) != cached_version(self.paths.catalogue_cache):
            self._next_pull = 0.0

    def _pulls(self) -> None:
        """Each pull on its own: a bad FAQ must not hold back a new catalogue. Transient and
        token errors go up to the loop (they concern every call alike)."""
        pulls: list[tuple[str, Callable[[], object]]] = [
            ("catalogue", lambda: self.client.pull_catalogue(self.paths.catalogue_cache)),
            ("faq", lambda: self.client.pull_faq(self.paths.faq_cache)),
        ]
        if self._on_model is not None:
            pulls.append(("model", lambda: self.client.pull_model(self.paths.model_dir, self._on_model)))
        for name, pull in pulls:
            try:
                pulled = pull()
            except (Unavailable, Unauthorized):
                raise
            except Exception as exc:  # invalid document, failed verification, a model that won't load
                self._error(f"{name} pull failed, keeping the current one: {exc}")
                continue
            self._contact()
            if pulled.changed and name != "model" and self._on_document is not None:
                self._on_document(
                    name, self.paths.catalogue_cache if name == "catalogue" else self.paths.faq_cache
                )
