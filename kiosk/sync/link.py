"""`SyncLink`: the kiosk process's one handle on the backend (kiosk/app/runtime.py holds one):
durable event recording, the sync thread, and the direct calls a shopper waits for (help
request, handoff)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.events import EventData
from kiosk.sync.client import BackendClient, HandoffTicket, HeartbeatInfo
from kiosk.sync.events import Event
from kiosk.sync.options import SyncOptions
from kiosk.sync.outbox import Outbox
from kiosk.sync.worker import SyncPaths, SyncStatus, SyncWorker


class SyncLink:
    def __init__(
        self,
        data_dir: Path,
        backend_url: str,
        token: str,
        heartbeat_info: Callable[[], HeartbeatInfo],
        *,
        catalogue_cache: Path | None = None,
        on_model: Callable[[Path, str], None] | None = None,
        on_document: Callable[[str, Path], None] | None = None,
        options: SyncOptions | None = None,
    ) -> None:
        data_dir = Path(data_dir)
        options = options or SyncOptions()
        self.outbox = Outbox(data_dir / "outbox.sqlite3")
        self.client = BackendClient(
            backend_url, token, timeout_s=options.timeout_s, transport=options.transport
        )
        paths = SyncPaths(
            catalogue_cache=catalogue_cache or data_dir / "catalogue.json",
            faq_cache=data_dir / "faq.json",
            model_dir=data_dir / "models",
        )
        self.worker = SyncWorker(
            self.outbox,
            self.client,
            paths,
            heartbeat_info,
            on_model=on_model,
            on_document=on_document,
            options=options,
        )

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.client.close()
        self.outbox.close()

    def status(self) -> SyncStatus:
        return self.worker.status()

    def record(self, session_id: str, data: EventData) -> Event:
        """Durable on return (see Outbox.record); the sync thread is nudged to send it now."""
        event = self.outbox.record(session_id, data)
        self.worker.wake()
        return event

    def forget_session(self, session_id: str) -> int:
        return self.outbox.forget_session(session_id)

    def request_help(self, session_id: str, reason: str, note: str) -> str:
        return str(self.client.create_help_request(session_id, reason, note).id)

    def help_status(self, help_id: str) -> str:
        return self.client.help_request(int(help_id)).status

    def create_handoff(
        self, session_id: str, items: list[dict[str, str | None]], snapshot_jpeg: bytes | None
    ) -> HandoffTicket:
        """The shopper's list (and the photo, only when they ticked it) as a code and a link."""
        return self.client.create_handoff(session_id, items, snapshot_jpeg)
