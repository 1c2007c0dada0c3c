"""The composition root of the kiosk process: builds every part once and wires them.

capture thread → pipeline thread → frame hub → UI server (uvicorn, main thread or its own)
state machine ← commands from the page; slow calls (backend) on worker threads
sync link (kiosk/sync): events to the outbox and the sync thread, help requests, handoffs,
catalogue and model pulls, heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from catalogue import DEMO_CATALOGUE, Catalogue, CatalogueError, load_catalogue
from kiosk.app.catalogue_view import Selection, catalogue_json, load_presets
from kiosk.app.commands import Command, CommandError
from kiosk.app.framehub import FrameHub
from kiosk.app.machine import (
    AskAssistant,
    CallStaff,
    Caption,
    Effect,
    KioskMachine,
    Recommendation,
    SendHandoff,
    SpeechPrefs,
    Ticket,
    TicketFailed,
    ToneOverride,
)
from kiosk.app.pipeline import Pipeline
from kiosk.app.ports import ReplySpeaker, ShadeRanker, ShopperAssistant
from kiosk.app.qr import qr_png
from kiosk.app.server import create_app
from kiosk.app.settings import KioskSettings
from kiosk.sync.client import MAX_SNAPSHOT_BYTES, HeartbeatInfo
from kiosk.sync.link import SyncLink
from kiosk.sync.options import SyncOptions
from kiosk.version import SOFTWARE_VERSION
from vision.capture import LatestFrameGrabber
from vision.light import LightError, LightReference
from vision.skin import SkinTone

if TYPE_CHECKING:
    from kiosk.app.furniture import FurnitureStage

log = logging.getLogger(__name__)

HELP_POLL_S = 2.0
# vision.color maps Lab to Monk Skin Tone by L* bands 5 units wide (70 → 30); a shopper who
# moves the depth one step is asking for shades one band lighter or deeper.
MST_STEP_L = 5.0
RECOMMEND_KINDS = (("foundation", 2), ("concealer", 1), ("lipstick", 2), ("blush", 1))


def load_kiosk_catalogue(settings: KioskSettings) -> Catalogue:
    """The catalogue the sync client cached from the backend, else the bundled demo one."""
    if settings.catalogue_cache.is_file():
        try:
            return load_catalogue(settings.catalogue_cache)
        except CatalogueError as exc:
            log.error("cached catalogue unusable, using the bundled one: %s", exc)
    return load_catalogue(DEMO_CATALOGUE)


class ShadeAdvisor:
    """Adapts recommender.runtime.Recommender to the machine: tone (+ the shopper's correction)
    in, a short mixed list of complexion and colour shades with their reasons out."""

    def __init__(self, recommender: ShadeRanker, catalogue: Callable[[], Catalogue]) -> None:
        self.recommender = recommender
        self._catalogue = catalogue

    @property
    def version(self) -> str:
        return self.recommender.version

    def __call__(self, tone: SkinTone, override: ToneOverride | None) -> list[Recommendation]:
        from recommender.features import ShopperProfile
        from recommender.shade_match import SKIN_MATCH_KINDS, match_skin

        lab = list(tone.lab)
        undertone = None
        if override is not None:
            lab[0] = min(100.0, max(0.0, lab[0] - MST_STEP_L * (override.mst - tone.mst)))
            undertone = override.undertone
        profile = ShopperProfile(
            skin_lab=tuple(lab), confidence=tone.confidence, undertone_override=undertone
        )
        catalogue = self._catalogue()
        out: list[Recommendation] = []
        for kind, n in RECOMMEND_KINDS:
            recs = self.recommender.recommend(profile, catalogue, kind, top_n=n)
            # a closer shade that is sold out is named with the first (next best) in-stock one
            match = match_skin(profile.skin_lab, catalogue, kind) if kind in SKIN_MATCH_KINDS else None
            missing = match.nearest_out_of_stock if match else None
            for i, rec in enumerate(recs):
                sold_out = missing.sku if missing and i == 0 else None
                out.append(
                    Recommendation(
                        rec.product_id, rec.sku, rec.reason_en, rec.reason_ar,
                        delta_e=rec.delta_e, grade=rec.grade, closer_out_of_stock=sold_out,
                    )
                )  # fmt: skip
        return out


def load_advisor(
    catalogue: Callable[[], Catalogue], model_path: Path | None = None
) -> tuple[ShadeAdvisor | None, str | None]:
    """The recommender, or None and why. Without its model the mirror runs on with no
    recommendations (a store would rather keep the try-on than a dead screen), but the reason is
    an error in the log, in /healthz and on the staff dashboard, never swallowed. A product kind
    the model has no column for is not caught here: it stops `recommender.features` at import,
    so such a build fails its tests and never starts."""
    try:
        from recommender.model import DEFAULT_MODEL
        from recommender.runtime import ModelError, Recommender
    except ImportError as exc:
        problem = f"recommender unavailable, no recommendations: {exc}"
    else:
        try:
            return ShadeAdvisor(Recommender(model_path or DEFAULT_MODEL), catalogue), None
        except (ModelError, OSError) as exc:
            problem = f"recommender model unusable, no recommendations: {exc}"
    log.error(problem)
    return None, problem


def load_furniture(settings: KioskSettings, catalogue: Catalogue) -> FurnitureStage | None:
    """Furniture mode when a floor calibration is configured and usable; else makeup only."""
    if settings.floor_calibration is None:
        return None
    try:
        from kiosk.app.furniture import FurnitureStage

        return FurnitureStage(
            settings.floor_calibration, catalogue, tracking=settings.floor_tracking, mirrored=settings.mirror
        )
    except (ImportError, OSError, ValueError) as exc:  # CalibrationError is a ValueError
        log.error("furniture mode off: floor calibration %s unusable: %s", settings.floor_calibration, exc)
        return None


def load_assistant(settings: KioskSettings, catalogue_path: Path) -> ShopperAssistant | None:
    """kiosk.assistant on the synced catalogue and FAQ (or the shipped ones); None without it."""
    try:
        from kiosk.assistant import Assistant, KnowledgeError, load_knowledge
    except ImportError as exc:
        log.warning("assistant unavailable: %s", exc)
        return None
    faq = settings.data_dir / "faq.json"
    try:
        knowledge = load_knowledge(catalogue_path, faq) if faq.is_file() else load_knowledge(catalogue_path)
        return Assistant(knowledge)
    except (KnowledgeError, CatalogueError, OSError) as exc:
        log.warning("assistant unavailable: %s", exc)
        return None


def load_light_reference(settings: KioskSettings) -> LightReference | None:
    """The grey card `kiosk calibrate light` recorded, if the store mounted one. A bad one is
    logged and left out: the shades then follow the light read from the shopper's eyes."""
    if settings.light_card_rect is None or settings.light_card_level is None:
        return None
    try:
        return LightReference(
            settings.light_card_rect, settings.light_card_level, settings.light_card_reflectance
        )
    except LightError as exc:
        log.error("light card ignored: %s", exc)
        return None


def load_speaker(settings: KioskSettings) -> ReplySpeaker | None:
    """The worker that speaks the assistant's replies (pyttsx3, espeak-ng); None if turned off."""
    if not settings.speech:
        return None
    try:
        from kiosk.assistant.speech import Speaker
    except ImportError as exc:
        log.warning("speech unavailable, captions only: %s", exc)
        return None
    return Speaker(out_dir=settings.speech_dir, volume=settings.speech_volume)


class KioskRuntime:
    def __init__(self, settings: KioskSettings, sync: SyncOptions | None = None) -> None:
        self.settings = settings
        self.started_s = time.monotonic()
        self.catalogue = load_kiosk_catalogue(settings)
        self.presets = load_presets(self.catalogue)
        self._catalogue_view = catalogue_json(self.catalogue, self.presets)
        self.advisor, advisor_problem = load_advisor(lambda: self.catalogue)
        self.link = SyncLink(
            settings.data_dir,
            settings.backend_url,
            settings.kiosk_token,
            self._heartbeat_info,
            catalogue_cache=settings.catalogue_cache,
            on_document=self._on_document,
            on_model=self._on_model if self.advisor is not None else None,
            options=sync,
        )
        self.furniture = load_furniture(settings, self.catalogue)
        self.assistant = load_assistant(
            settings, settings.catalogue_cache if settings.catalogue_cache.is_file() else DEMO_CATALOGUE
        )
        self.machine = KioskMachine(
            self.catalogue,
            self.presets,
            self.link,
            default_lang=settings.language,
            idle_timeout_s=settings.idle_timeout_s,
            face_gone_s=settings.face_gone_s,
            modes=("makeup", "furniture") if self.furniture is not None else ("makeup",),
            recommend=self.advisor,
            model_version=self.advisor.version if self.advisor else "",
            floor=self.furniture,
        )
        self.hub = FrameHub()
        self.grabber = LatestFrameGrabber(
            settings.source, loop=settings.loop, mirror=settings.mirror, resolution=settings.resolution
        )
        self.pipeline = Pipeline(
            self.grabber,
            self.machine,
            self.hub,
            jpeg_quality=settings.jpeg_quality,
            debug=settings.debug_endpoints,
            furniture=self.furniture,
            light_reference=load_light_reference(settings),
        )
        if advisor_problem:  # /healthz and the heartbeat's last_error (the staff dashboard) say why
            self.pipeline.broken["recommender"] = advisor_problem
        self._workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-io")
        self._stopping = threading.Event()  # ends the workers' polling loops at shutdown
        self._server: uvicorn.Server | None = None
        self._qr: tuple[str, bytes] | None = None  # (code, png) of this session's handoff
        self._pending_catalogue: Catalogue | None = None
        self.machine.subscribe(self._apply_pending_catalogue)
        self.speaker = load_speaker(settings) if self.assistant is not None else None
        self._spoken_session: str | None = None
        if self.speaker is not None:
            self.machine.speech_defaults = SpeechPrefs(muted=False, volume=settings.speech_volume)
            self.machine.subscribe(self._apply_speech)
        if self.assistant is not None:
            self.assistant.raise_help_request = self._assistant_escalates
            self.machine.assistant_available = True
            self._assistant_lock = threading.Lock()
            self._assistant_session: str | None = None
            self.machine.subscribe(self._forget_assistant_turns)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> KioskRuntime:
        self.grabber.start()
        self.pipeline.start()
        self.link.start()
        return self

    def ui_server(self) -> uvicorn.Server:
        """The local UI server, made once; `stop()` asks it to exit."""
        if self._server is None:
            config = uvicorn.Config(
                create_app(self),
                host=self.settings.ui_host,
                port=self.settings.ui_port,
                ws="websockets-sansio",
                ws_per_message_deflate=False,  # deflating JPEG costs ~8 ms a frame and saves nothing
                log_level="warning",
                lifespan="off",
            )
            self._server = uvicorn.Server(config)
        return self._server

    def serve_forever(self) -> None:
        """Run the UI server on this thread until interrupted (Ctrl-C / SIGTERM)."""
        self.ui_server().run()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        self.pipeline.stop()
        if self.furniture is not None:
            self.furniture.close()
        self.grabber.stop()
        self._workers.shutdown(wait=False, cancel_futures=True)
        if self.speaker is not None:
            self.speaker.close()
        self.link.stop()

    # -- sync callbacks ---------------------------------------------------------------------
    def _heartbeat_info(self) -> HeartbeatInfo:
        state = self.grabber.status.state
        return HeartbeatInfo(
            software_version=SOFTWARE_VERSION,
            model_version=self.advisor.version if self.advisor else "",
            fps=self.hub.stats()["fps"],
            camera_state={"ok": "ok", "reconnecting": "lost"}.get(state, "none"),
            uptime_s=time.monotonic() - self.started_s,
            # A broken part (a corrupt model) outranks a camera hiccup: staff see it on the dashboard.
            last_error="; ".join(self.pipeline.broken.values()) or self.grabber.status.message or None,
        )

    def _on_document(self, name: str, path: Path) -> None:
        if name != "catalogue":
            return
        try:
            self._pending_catalogue = load_catalogue(path)
        except CatalogueError as exc:
            log.error("pulled catalogue unusable, keeping the current one: %s", exc)
            return
        self._apply_pending_catalogue()

    def _apply_pending_catalogue(self) -> None:
        """A new catalogue takes effect between shoppers, never under someone's selections."""
        new = self._pending_catalogue
        if new is None or self.machine.session is not None:
            return
        self._pending_catalogue = None
        self.catalogue = new
        self.presets = load_presets(new)
        self._catalogue_view = catalogue_json(new, self.presets)
        self.machine.replace_catalogue(new, self.presets)

    def _on_model(self, path: Path, sha256: str) -> None:
        assert self.advisor is not None
        version = self.advisor.recommender.swap(path, expected_sha256=sha256)
        self.machine.model_version = version

    # -- for the UI server ------------------------------------------------------------------
    def catalogue_view(self) -> dict:
        return self._catalogue_view

    def machine_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        return self.machine.subscribe(listener)

    def stats(self) -> dict:
        sync = self.link.status()
        return {
            **self.hub.stats(),
            "frames_out": self.pipeline.frames_out,
            "dropped_at_capture": self.grabber.dropped,
            "camera": self.grabber.status.state,
            "phase": self.machine.phase.value,
            "sync": {"online": sync.online, "backlog": sync.backlog, "sent": sync.sent},
        }

    def handoff_qr_png(self) -> bytes | None:
        session = self.machine.session
        ticket = session.handoff if session is not None else None
        if not isinstance(ticket, Ticket):
            return None
        if self._qr is None or self._qr[0] != ticket.code:
            self._qr = (ticket.code, qr_png(ticket.url))
        return self._qr[1]

    def command(self, cmd: Command) -> None:
        """One command from the page (parsed by kiosk/app/commands.py). The machine decides;
        a call that waits on the backend or the assistant runs on a worker."""
        effect: Effect | None = self.machine.handle(cmd, time.monotonic() * 1000)
        if isinstance(effect, CallStaff):
            self._workers.submit(self._call_help, effect.session_id, "shopper")
        elif isinstance(effect, AskAssistant):
            self._workers.submit(self._ask, effect.session_id, effect.text, effect.lang)
        elif isinstance(effect, SendHandoff):
            self._workers.submit(self._make_handoff, effect.session_id, effect.items, effect.include_photo)

    # -- slow calls -------------------------------------------------------------------------
    def _shade_picks(self, session_id: str) -> tuple:
        """The graded complexion shades on this shopper's screen, for "what suits me" answers."""
        from kiosk.assistant.answers import ShadePick

        session = self.machine.session
        if session is None or session.id != session_id:
            return ()
        picks = []
        for rec in list(session.recommendations):
            if rec.grade is None:
                continue
            try:
                product, shade = self.catalogue.shade(rec.sku)
            except KeyError:  # the catalogue changed since; the next refresh drops it
                continue
            picks.append(ShadePick(product, shade, rec.delta_e, rec.grade))
        return tuple(picks)

    def _ask(self, session_id: str, text: str, lang: str | None) -> None:
        """The shopper's words go to the in-process assistant only; the event keeps the intent."""
        with self._assistant_lock:
            if self._assistant_session != session_id:
                self.assistant.reset()
                self._assistant_session = session_id
            reply = self.assistant.ask(text, lang, self._shade_picks(session_id))
            turn = self.assistant.turns[-1]
        self.machine.set_assistant(session_id, Caption(reply.reply, reply.lang), turn.event_data())
        session = self.machine.session
        if self.speaker is not None and session is not None and session.id == session_id:
            self.speaker.say(reply.reply, reply.lang)

    def _apply_speech(self) -> None:
        """The session's mute/volume to the speaker; a session's end silences it and restores
        the kiosk's defaults, so the next shopper neither hears the last one's answer nor
        inherits their mute."""
        session = self.machine.session
        prefs = (session.speech if session is not None else None) or self.machine.speech_defaults
        if session is None and self._spoken_session is not None:
            self.speaker.silence()
        self._spoken_session = session.id if session is not None else None
        if self.speaker.muted != prefs.muted:
            self.speaker.mute(prefs.muted)
        self.speaker.set_volume(prefs.volume)

    def _assistant_escalates(self, reason: str) -> None:
        session_id = self._assistant_session
        try:
            if session_id is None or self.machine.help_session() != session_id:
                return
        except CommandError:  # staff already called in this session
            return
        self._workers.submit(self._call_help, session_id, "assistant")

    def _forget_assistant_turns(self) -> None:
        if self.machine.session is None and self._assistant_session is not None:
            self._assistant_session = None
            self.assistant.reset()

    def _call_help(self, session_id: str, reason: str) -> None:
        try:
            help_id = int(self.link.request_help(session_id, reason, ""))
        except Exception as exc:  # offline backend: the page tells the shopper to go to the till
            log.warning("help request failed: %s", exc)
            self.machine.set_help(session_id, None, "failed", time.monotonic() * 1000)
            return
        self.machine.set_help(session_id, help_id, "open", time.monotonic() * 1000, reason)
        while self.machine.session is not None and self.machine.session.id == session_id:
            if self._stopping.wait(HELP_POLL_S):
                return
            try:
                status = self.link.help_status(str(help_id))
            except Exception as exc:
                log.warning("help status check failed: %s", exc)
                continue
            self.machine.set_help(session_id, help_id, status, time.monotonic() * 1000)
            if status in ("acknowledged", "resolved"):
                return

    def _make_handoff(self, session_id: str, items: tuple[Selection, ...], include_photo: bool) -> None:
        snapshot = None
        if include_photo:  # only when the shopper ticked "include my photo": the one they saw
            session = self.machine.session
            held_round = session.photo_round if session is not None and session.id == session_id else -1
            snapshot = self.pipeline.snapshot_jpeg(MAX_SNAPSHOT_BYTES, held_round=held_round)
        body = [{"product_id": i.product_id, "shade_sku": i.sku} for i in items]
        try:
            ticket = self.link.create_handoff(session_id, body, snapshot)
        except Exception as exc:
            log.warning("handoff failed: %s", exc)
            self.machine.set_handoff(session_id, TicketFailed("backend_unreachable"))
            return
        url = ticket.url
        if not url.startswith("http"):
            url = self.settings.handoff_base_url + url
        self.machine.set_handoff(session_id, Ticket(ticket.code, url, len(body), snapshot is not None))
