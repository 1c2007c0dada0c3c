"""The kiosk's state machine: what the shopper sees, what the pipeline does, what is recorded.

attract → consent → (mirror | mode → makeup/furniture) → summary → attract.

Everything about the shopper lives in one `ShopperSession`; ending a session (done, idle,
walked away) replaces it with None, which is the whole of "wipe": no other object keeps a
reference to the shopper's choices. The machine does no I/O and takes the clock as an
argument, so every transition is tested without threads or sleeps; the composition root
runs the slow calls (backend, assistant) and reports their results back here.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from catalogue import MAKEUP_KINDS, Catalogue
from kiosk.app.catalogue_view import Preset, Selection, build_look
from vision.makeup import Look
from vision.plane.placement import Placement

MST_RANGE = range(1, 11)
UNDERTONES = ("warm", "neutral", "cool")


class Phase(StrEnum):
    ATTRACT = "attract"
    CONSENT = "consent"
    MIRROR = "mirror"  # consent declined: a plain mirror, no face analysis at all
    MODE = "mode"
    MAKEUP = "makeup"
    FURNITURE = "furniture"
    SUMMARY = "summary"


ANALYSED_PHASES = {Phase.MODE, Phase.MAKEUP, Phase.SUMMARY}
MAX_PLACEMENTS = 6
FLOOR_REACH_M = 20.0  # furniture goes within this many metres of the floor's origin, either way
# How long the attract screen confirms "forgotten" to the shopper who asked (or until the next start).
NOTICE_MS = 12_000


# The stable codes the page maps to a short message in the shopper's language (kiosk/ui/i18n.js,
# "error_<code>"); the message itself is for logs and tests, never shown.
ERROR_CODES = frozenset(
    {
        "not_possible", "bad_input", "unknown_product", "out_of_stock", "too_many_pieces",
        "help_already_called", "assistant_unavailable", "nothing_to_send", "off_floor", "internal",
    }
)  # fmt: skip


class CommandError(ValueError):
    """A command the current phase cannot take, or one with bad arguments; `code` is what the
    shopper is told (one of ERROR_CODES)."""

    def __init__(self, message: str, code: str = "not_possible") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code


class EventSink(Protocol):
    def record(self, session_id: str, kind: str, data: dict[str, Any]) -> None: ...

    def forget_session(self, session_id: str) -> int:
        """Drops the session's unsent events and has what was sent erased at the backend."""
        ...


@dataclass(frozen=True)
class Recommendation:
    product_id: str
    sku: str
    reason_en: str
    reason_ar: str
    delta_e: float | None = None  # ΔE2000 to the shopper's skin
    grade: str | None = None  # close / near / none for skin-matched kinds (recommender.shade_match)
    closer_out_of_stock: str | None = None  # sku of a closer shade that is sold out


# (measured tone, the shopper's correction or None) → ranked recommendations.
RecommendFn = Callable[[dict, dict | None], list[Recommendation]]


@dataclass(frozen=True)
class RenderPlan:
    """What the pipeline does with the next frame."""

    analyse: bool  # run the face tracker at all (False before and without consent)
    look: Look
    split: float | None  # before/after divider as a fraction of the width, None = off
    session_id: str | None
    furniture: bool = False  # render the placements on the floor (no face analysis)
    placements: tuple[Placement, ...] = ()
    photo_round: int = 0  # the handoff photo is picked anew after every retake (kiosk/app/photo.py)
    photo_hold: bool = False  # the summary shows the photo: stop changing it once picked


@dataclass
class ShopperSession:
    id: str
    started_ms: float
    lang: str
    consent: bool | None = None
    share_tone: bool = False
    mode: str | None = None
    selections: dict[str, Selection] = field(default_factory=dict)
    applied_ms: dict[str, float] = field(default_factory=dict)  # kind → when its shade went on
    basket: list[Selection] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)  # furniture on the floor
    placed_ms: list[float] = field(default_factory=list)
    selected: int | None = None  # the placement the shopper is moving
    split: float | None = None
    tone: dict | None = None  # measured: lab, mst, undertone, ita_class, confidence
    tone_override: dict | None = None
    tone_sent: bool = False
    recommendations: list[Recommendation] = field(default_factory=list)
    help: dict | None = None  # id, status, requested_ms
    handoff: dict | None = None  # code, url, items, snapshot — or error
    assistant: dict | None = None  # the assistant's last reply: text, lang (never the question)
    speech: dict | None = None  # the shopper's {muted, volume} for spoken replies; None = kiosk default
    photo_round: int = 0  # bumped by "retake" on the summary screen
    last_touch_ms: float = 0.0
    face_seen_ms: float = 0.0
    recorded: bool = False  # whether any event of this session reached the outbox


class KioskMachine:
    def __init__(
        self,
        catalogue: Catalogue,
        presets: tuple[Preset, ...],
        events: EventSink,
        *,
        default_lang: str,
        idle_timeout_s: float,
        face_gone_s: float,
        modes: tuple[str, ...] = ("makeup",),
        recommend: RecommendFn | None = None,
        model_version: str = "",
    ) -> None:
        self._lock = threading.RLock()
        self.catalogue = catalogue
        self.presets = {p.id: p for p in presets}
        self._events = events
        self.default_lang = default_lang
        self.idle_timeout_ms = idle_timeout_s * 1000
        self.face_gone_ms = face_gone_s * 1000
        self.modes = modes
        self.assistant_available = False
        self.speech_defaults: dict | None = None  # {muted, volume} when replies are spoken
        self._recommend = recommend
        self.model_version = model_version
        self.phase = Phase.ATTRACT
        self.session: ShopperSession | None = None
        self.lang = default_lang
        self.version = 0  # bumps on every visible change; the UI server pushes on change
        self.status: dict[str, str] = {}  # code → source, e.g. {"camera": "reconnecting"}
        self.notice: str | None = None  # a confirmation on the attract screen: "forgotten"
        self._notice_until_ms = 0.0
        # Sessions forgotten lately: a help request or handoff the backend was still creating
        # for one of them when the shopper asked is erased again once it answers (see _late).
        self._forgotten: deque[str] = deque(maxlen=16)
        self._listeners: list[Callable[[], None]] = []

    # -- plumbing -------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every visible change; returns the function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        self.version += 1
        for listener in list(self._listeners):
            listener()

    def _record(self, kind: str, data: dict[str, Any]) -> None:
        assert self.session is not None
        self.session.recorded = True
        self._events.record(self.session.id, kind, data)

    def plan(self) -> RenderPlan:
        with self._lock:
            s = self.session
            hold = self.phase == Phase.SUMMARY
            if s is not None and s.mode == "furniture" and self.phase in (Phase.FURNITURE, Phase.SUMMARY):
                return RenderPlan(
                    False, Look(), None, s.id, furniture=True, placements=tuple(s.placements),
                    photo_round=s.photo_round, photo_hold=hold,
                )  # fmt: skip
            if s is None or self.phase not in ANALYSED_PHASES or s.mode == "furniture":
                return RenderPlan(False, Look(), None, s.id if s else None)
            look = build_look(self.catalogue, s.selections) if self.phase != Phase.MODE else Look()
            return RenderPlan(True, look, s.split, s.id, photo_round=s.photo_round, photo_hold=hold)

    # -- commands from the page ----------------------------------------------------------
    def handle(self, cmd: dict[str, Any], now_ms: float) -> None:
        name = cmd.get("cmd")
        handler = getattr(self, f"_cmd_{name}", None) if isinstance(name, str) else None
        if handler is None:
            raise CommandError(f"unknown command {name!r}", "bad_input")
        with self._lock:
            if self.session is not None:
                self.session.last_touch_ms = now_ms
            handler(cmd, now_ms)
            self._changed()

    def _need(self, *phases: Phase) -> ShopperSession:
        if self.phase not in phases or self.session is None:
            raise CommandError(f"not possible on the {self.phase.value} screen")
        return self.session

    def _cmd_touch(self, cmd: dict, now: float) -> None:
        """Any tap: only keeps the session alive."""

    def _cmd_lang(self, cmd: dict, now: float) -> None:
        lang = cmd.get("lang")
        if lang not in ("ar", "en"):
            raise CommandError("lang must be 'ar' or 'en'", "bad_input")
        self.lang = lang
        if self.session is not None:
            self.session.lang = lang

    def _cmd_speech(self, cmd: dict, now: float) -> None:
        """Mute or set the volume of the assistant's spoken replies, for this session only."""
        s = self.session
        if s is None or self.speech_defaults is None:
            raise CommandError("spoken replies are not available now")
        muted = cmd.get("muted")
        if not isinstance(muted, bool):
            raise CommandError("muted must be true or false", "bad_input")
        s.speech = {"muted": muted, "volume": _unit(cmd.get("volume"))}

    def _cmd_start(self, cmd: dict, now: float) -> None:
        if self.phase != Phase.ATTRACT:
            raise CommandError("a session is already running")
        self.notice = None  # the last shopper's confirmation is not the next one's business
        self.session = ShopperSession(id=str(uuid.uuid4()), started_ms=now, lang=self.lang, last_touch_ms=now)
        self.session.face_seen_ms = now
        self.phase = Phase.CONSENT

    def _cmd_consent(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.CONSENT)
        s.consent = bool(cmd.get("accept"))
        if not s.consent:
            self._record("consent_declined", {})
            self._record("session_started", {"mode": "none"})
            s.mode = "none"
            self.phase = Phase.MIRROR
            return
        s.share_tone = bool(cmd.get("share_tone", False))
        self._record("consent_given", {})
        if len(self.modes) == 1:
            self._enter_mode(s, self.modes[0], now)
        else:
            self.phase = Phase.MODE

    def _cmd_mode(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MODE)
        if cmd.get("mode") not in self.modes:
            raise CommandError(f"mode must be one of {self.modes}", "bad_input")
        self._enter_mode(s, cmd["mode"], now)

    def _enter_mode(self, s: ShopperSession, mode: str, now: float) -> None:
        s.mode = mode
        if mode == "furniture":
            self.status.pop("shopper", None)  # the face is not looked at from here on
        self._record("session_started", {"mode": mode})
        self.phase = Phase(mode)

    def _put_on(self, s: ShopperSession, sel: Selection, now: float) -> None:
        product, _ = self.catalogue.shade(sel.sku)
        self._take_off(s, product.kind, now)
        s.selections[product.kind] = sel
        s.applied_ms[product.kind] = now

    def _take_off(self, s: ShopperSession, kind: str, now: float) -> None:
        old = s.selections.pop(kind, None)
        if old is not None:
            dwell = int(now - s.applied_ms.pop(kind, now))
            self._record(
                "product_tried", {"product_id": old.product_id, "shade_sku": old.sku, "dwell_ms": dwell}
            )

    def _shade_selection(self, cmd: dict, intensity: float | None = None) -> Selection:
        sku = cmd.get("sku")
        try:
            product, shade = self.catalogue.shade(str(sku))
        except KeyError:
            raise CommandError(f"unknown shade {sku!r}", "unknown_product") from None
        if product.kind not in MAKEUP_KINDS:
            raise CommandError(f"{sku} is not a makeup shade", "unknown_product")
        value = cmd.get("intensity", intensity if intensity is not None else 0.8)
        return Selection(product.id, shade.sku, _unit(value))

    def _cmd_select(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        sel = self._shade_selection(cmd)
        kind = self.catalogue.shade(sel.sku)[0].kind
        current = s.selections.get(kind)
        if current is not None and "intensity" not in cmd:
            sel = Selection(sel.product_id, sel.sku, current.intensity)  # keep the shopper's slider
        self._put_on(s, sel, now)

    def _cmd_remove(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        self._take_off(s, str(cmd.get("kind")), now)

    def _cmd_clear(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        for kind in list(s.selections):
            self._take_off(s, kind, now)

    def _cmd_intensity(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        kind = cmd.get("kind")
        if kind not in s.selections:
            raise CommandError(f"nothing applied for {kind!r}", "bad_input")
        old = s.selections[kind]
        s.selections[kind] = Selection(old.product_id, old.sku, _unit(cmd.get("value")))

    def _cmd_preset(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        preset = self.presets.get(str(cmd.get("id")))
        if preset is None:
            raise CommandError(f"unknown preset {cmd.get('id')!r}", "unknown_product")
        for kind in list(s.selections):
            self._take_off(s, kind, now)
        for item in preset.items:
            self._put_on(s, item, now)

    def _cmd_split(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.SUMMARY)
        x = cmd.get("x")
        s.split = None if x is None else _unit(x)

    def _cmd_tone(self, cmd: dict, now: float) -> None:
        """The shopper corrects how we see their tone ("this is how we see your tone — adjust")."""
        s = self._need(Phase.MAKEUP)
        if cmd.get("reset"):
            s.tone_override = None
        else:
            mst, under = cmd.get("mst"), cmd.get("undertone")
            if mst not in MST_RANGE or under not in UNDERTONES:
                raise CommandError("tone needs mst 1..10 and undertone warm|neutral|cool", "bad_input")
            s.tone_override = {"mst": int(mst), "undertone": under}
        self._refresh_recommendations(s)

    def _cmd_rec_accept(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        for position, rec in enumerate(s.recommendations):
            if rec.sku == cmd.get("sku"):
                self._put_on(s, self._shade_selection(cmd), now)
                self._record(
                    "recommendation_accepted",
                    {
                        "product_id": rec.product_id,
                        "shade_sku": rec.sku,
                        "position": position,
                        "model_version": self.model_version,
                    },
                )
                return
        raise CommandError(f"{cmd.get('sku')!r} is not among the recommendations", "unknown_product")

    def _cmd_basket_add(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE, Phase.SUMMARY)
        if s.mode == "furniture":
            sel = Selection(*self._variant(cmd.get("product_id"), cmd.get("sku")), 1.0)
        else:
            sel = self._shade_selection(cmd)
            if self.catalogue.shade(sel.sku)[1].stock <= 0:
                raise CommandError(f"{sel.sku} is sold out here", "out_of_stock")
        if all(b.sku != sel.sku for b in s.basket):
            s.basket.append(sel)
            self._record("added_to_basket", {"product_id": sel.product_id, "shade_sku": sel.sku})

    def _cmd_basket_remove(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE, Phase.SUMMARY)
        s.basket = [b for b in s.basket if b.sku != cmd.get("sku")]

    # -- furniture: positions arrive already on the floor (metres), see runtime.floor_command
    def _variant(self, product_id: Any, variant: Any) -> tuple[str, str]:
        product = next((p for p in self.catalogue.by_kind("furniture") if p.id == product_id), None)
        if product is None or not product.variants:
            raise CommandError(f"unknown furniture {product_id!r}", "unknown_product")
        if variant is None:
            return product.id, product.variants[0].sku
        if all(v.sku != variant for v in product.variants):
            raise CommandError(f"{product_id} has no variant {variant!r}", "unknown_product")
        return product.id, str(variant)

    def _placement_index(self, s: ShopperSession, cmd: dict) -> int:
        index = cmd.get("index", s.selected)
        if not isinstance(index, int) or not 0 <= index < len(s.placements):
            raise CommandError("no such piece on the floor", "bad_input")
        return index

    def _cmd_f_place(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        if len(s.placements) >= MAX_PLACEMENTS:
            raise CommandError(f"at most {MAX_PLACEMENTS} pieces at once", "too_many_pieces")
        product_id, variant = self._variant(cmd.get("product_id"), cmd.get("variant"))
        s.placements.append(Placement(product_id, variant, _metres(cmd.get("x")), _metres(cmd.get("z"))))
        s.placed_ms.append(now)
        s.selected = len(s.placements) - 1

    def _cmd_f_move(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd)
        s.placements[i] = s.placements[i].moved(_metres(cmd.get("x")), _metres(cmd.get("z")))

    def _cmd_f_rotate(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd)
        degrees = cmd.get("degrees")
        if not isinstance(degrees, int | float) or not -180 <= degrees <= 180:
            raise CommandError("degrees must be a number between -180 and 180", "bad_input")
        s.placements[i] = s.placements[i].turned(float(degrees))

    def _cmd_f_variant(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd)
        _, variant = self._variant(s.placements[i].sku, cmd.get("variant"))
        self._tried_furniture(s, i, now)
        s.placements[i] = s.placements[i].with_variant(variant)

    def _cmd_f_select(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        s.selected = None if cmd.get("index") is None else self._placement_index(s, cmd)

    def _cmd_f_remove(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd)
        self._tried_furniture(s, i, now)
        del s.placements[i], s.placed_ms[i]
        s.selected = None

    def _tried_furniture(self, s: ShopperSession, i: int, now: float) -> None:
        p = s.placements[i]
        self._record(
            "product_tried",
            {"product_id": p.sku, "shade_sku": p.variant, "dwell_ms": int(now - s.placed_ms[i])},
        )
        s.placed_ms[i] = now

    def _cmd_summary(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE)
        s.split = None  # the list is shown with the whole look on
        self.phase = Phase.SUMMARY

    def _cmd_back(self, cmd: dict, now: float) -> None:
        s = self._need(Phase.SUMMARY)
        s.handoff = None
        self.phase = Phase(s.mode)

    def _cmd_retake(self, cmd: dict, now: float) -> None:
        """The shopper does not like the photo on the summary screen: pick again from the next seconds."""
        s = self._need(Phase.SUMMARY)
        s.photo_round += 1

    def _cmd_end(self, cmd: dict, now: float) -> None:
        if self.session is None:
            raise CommandError("no session to end")
        self._end("done", now)

    def _cmd_forget(self, cmd: dict, now: float) -> None:
        """Forget me now (PDPL): the session ends at once and records nothing more (no dwell
        times, no session_ended); the outbox drops its unsent events and queues the erasure of
        those already sent, which works for a shopper who made no handoff and so holds no code."""
        s = self.session
        if s is None:
            raise CommandError("no session to forget")
        self._events.forget_session(s.id)
        self._forgotten.append(s.id)
        self._close_session()
        self.notice = "forgotten"
        self._notice_until_ms = now + NOTICE_MS

    # -- results of slow calls made by the composition root -------------------------------
    def handoff_items(self) -> tuple[str, list[Selection]]:
        """The session id and what goes on the shopper's list: the basket, else the look on."""
        with self._lock:
            s = self._need(Phase.SUMMARY)
            on_show = [Selection(p.sku, p.variant, 1.0) for p in s.placements] or list(s.selections.values())
            return s.id, list(s.basket or on_show)

    def set_handoff(self, session_id: str, result: dict) -> None:
        with self._lock:
            s = self.session
            if s is None or s.id != session_id or self.phase != Phase.SUMMARY:
                self._late(session_id)  # the shopper left while the backend answered
                return
            s.handoff = result
            if "code" in result:
                self._record(
                    "handoff",
                    {"code": result["code"], "items": result["items"], "snapshot": result["snapshot"]},
                )
            self._changed()

    def help_session(self) -> str:
        with self._lock:
            if self.session is None:
                raise CommandError("staff can be called once a session has started")
            if self.session.help is not None and self.session.help["status"] != "failed":
                raise CommandError("staff have already been called", "help_already_called")
            return self.session.id

    def set_help(
        self, session_id: str, help_id: int | None, status: str, now_ms: float, reason: str = "shopper"
    ) -> None:
        with self._lock:
            s = self.session
            if s is None or s.id != session_id:
                self._late(session_id)
                return
            previous = s.help
            if previous is None or previous.get("id") != help_id:
                s.help = {"id": help_id, "status": status, "requested_ms": now_ms}
                if help_id is not None:
                    self._record("help_requested", {"help_request_id": help_id, "reason": reason})
            elif previous["status"] != status:
                previous["status"] = status
                if status == "acknowledged":
                    wait = int(now_ms - previous["requested_ms"])
                    self._record("help_answered", {"help_request_id": help_id, "wait_ms": wait})
            self._changed()

    def set_assistant(self, session_id: str, reply: dict, event: dict | None) -> None:
        with self._lock:
            s = self.session
            if s is None or s.id != session_id:
                return
            s.assistant = reply
            if event is not None:
                self._record("assistant_question", event)
            self._changed()

    def _late(self, session_id: str) -> None:
        """A backend call for a session that has ended came back. If the shopper asked to be
        forgotten, what that call created may have landed after the erasure went: erase again."""
        if session_id in self._forgotten:
            self._events.forget_session(session_id)

    # -- what the pipeline sees ----------------------------------------------------------
    def observe(self, now_ms: float, face_present: bool | None, tone: dict | None, light: str | None) -> None:
        """Called per analysed frame: face presence, the settling skin tone, light quality."""
        with self._lock:
            s = self.session
            if s is None:
                return
            changed = False
            if face_present:
                s.face_seen_ms = now_ms
            status = "no_face" if face_present is False else light
            if self.status.get("shopper") != status:
                if status is None:
                    self.status.pop("shopper", None)
                else:
                    self.status["shopper"] = status
                changed = True
            if tone is not None and tone != s.tone:
                first = s.tone is None
                s.tone = tone
                if first:
                    self._refresh_recommendations(s)
                    if s.share_tone and not s.tone_sent:
                        s.tone_sent = True
                        self._record("skin_tone", {"mst": tone["mst"], "undertone": tone["undertone"]})
                changed = True
            if changed:
                self._changed()

    def replace_catalogue(self, catalogue: Catalogue, presets: tuple[Preset, ...]) -> None:
        """A newly synced catalogue; only between sessions (a selection must keep meaning)."""
        with self._lock:
            if self.session is not None:
                raise CommandError("the catalogue changes only between sessions")
            self.catalogue = catalogue
            self.presets = {p.id: p for p in presets}
            self._changed()

    def set_status(self, key: str, code: str | None) -> None:
        with self._lock:
            if self.status.get(key) == code:
                return
            if code is None:
                self.status.pop(key, None)
            else:
                self.status[key] = code
            self._changed()

    def tick(self, now_ms: float) -> None:
        """Ends a session left idle or whose shopper walked away; retires a shown notice."""
        with self._lock:
            if self.notice is not None and now_ms > self._notice_until_ms:
                self.notice = None
                self._changed()
            s = self.session
            if s is None:
                return
            if now_ms - s.last_touch_ms > self.idle_timeout_ms:
                self._end("idle", now_ms)
            elif self._face_watched(s) and now_ms - s.face_seen_ms > self.face_gone_ms:
                self._end("walked_away", now_ms)

    def _face_watched(self, s: ShopperSession) -> bool:
        """Whether the face tracker runs for this session, so a missing face means something."""
        return self.phase in ANALYSED_PHASES and s.mode != "furniture"

    def _end(self, reason: str, now: float) -> None:
        s = self.session
        assert s is not None
        for kind in list(s.selections):
            self._take_off(s, kind, now)
        for i in range(len(s.placements)):
            self._tried_furniture(s, i, now)
        if s.recorded:
            self._record("session_ended", {"reason": reason, "duration_ms": int(now - s.started_ms)})
        self._close_session()

    def _close_session(self) -> None:
        self.session = None
        self.phase = Phase.ATTRACT
        self.lang = self.default_lang
        self.status.pop("shopper", None)
        self._changed()

    def _refresh_recommendations(self, s: ShopperSession) -> None:
        if self._recommend is None or s.tone is None:
            s.recommendations = []
            return
        s.recommendations = self._recommend(s.tone, s.tone_override)
        for position, rec in enumerate(s.recommendations):
            self._record(
                "recommendation_shown",
                {
                    "product_id": rec.product_id,
                    "shade_sku": rec.sku,
                    "position": position,
                    "model_version": self.model_version,
                },
            )

    # -- what the page sees ----------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            s = self.session
            view: dict[str, Any] = {
                "version": self.version,
                "phase": self.phase.value,
                "lang": self.lang,
                "modes": list(self.modes),
                "assistant_available": self.assistant_available,
                "speech_defaults": self.speech_defaults,
                "catalogue_version": self.catalogue.version,
                "status": dict(self.status),
                "notice": self.notice,
                "session": None,
            }
            if s is None:
                return view
            view["session"] = {
                "id": s.id,
                "selections": {
                    k: {"product_id": v.product_id, "sku": v.sku, "intensity": v.intensity}
                    for k, v in s.selections.items()
                },
                "basket": [{"product_id": b.product_id, "sku": b.sku} for b in s.basket],
                "mode": s.mode,
                "placements": [
                    {"product_id": p.sku, "variant": p.variant, "x": p.x, "z": p.z, "yaw": p.yaw_deg}
                    for p in s.placements
                ],
                "selected": s.selected,
                "split": s.split,
                "tone": s.tone,
                "tone_override": s.tone_override,
                "recommendations": [r.__dict__ for r in s.recommendations],
                "help": None if s.help is None else {"status": s.help["status"]},
                "handoff": s.handoff,
                "assistant": s.assistant,
                "speech": s.speech,
                "photo_round": s.photo_round,
            }
            return view


def _metres(value: Any) -> float:
    if not isinstance(value, int | float) or not -FLOOR_REACH_M <= value <= FLOOR_REACH_M:
        raise CommandError(f"a floor position is within ±{FLOOR_REACH_M:g} m, not {value!r}", "bad_input")
    return float(value)


def _unit(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise CommandError(f"expected a number between 0 and 1, got {value!r}", "bad_input") from None
    if not 0.0 <= x <= 1.0:
        raise CommandError(f"expected a number between 0 and 1, got {x}", "bad_input")
    return x
