"""The kiosk's state machine: what the shopper sees, what the pipeline does, what is recorded.

attract → consent → (mirror | mode → makeup/furniture) → summary → attract.

Everything about the shopper lives in one `ShopperSession`; ending a session (done, idle,
walked away) replaces it with None, which is the whole of "wipe": no other object keeps a
reference to the shopper's choices. The machine does no I/O and takes the clock as an
argument, so every transition is tested without threads or sleeps. Every command from the page
goes through `handle` (typed by kiosk/app/commands.py); a command that needs a slow call
(staff, the assistant, the backend's handoff) returns an `Effect` for the composition root to
run, which reports the result back here. JSON is made in one place, `snapshot`.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from catalogue import MAKEUP_KINDS, UNDERTONES, Catalogue
from kiosk import events as ev
from kiosk.app import commands as c
from kiosk.app.catalogue_view import Preset, Selection, build_look
from kiosk.app.commands import FLOOR_REACH_M, CommandError
from vision.color import MST_SWATCHES
from vision.makeup import Look
from vision.plane.placement import Placement
from vision.skin import SkinTone


class Phase(StrEnum):
    ATTRACT = "attract"
    CONSENT = "consent"
    MIRROR = "mirror"  # consent declined: a plain mirror, no face analysis at all
    MODE = "mode"
    MAKEUP = "makeup"
    FURNITURE = "furniture"
    SUMMARY = "summary"


ANALYSED_PHASES = {Phase.MODE, Phase.MAKEUP, Phase.SUMMARY}
ASSISTANT_PHASES = {Phase.MAKEUP, Phase.SUMMARY, Phase.MIRROR}  # where the page offers the assistant
MAX_PLACEMENTS = 6
DEFAULT_INTENSITY = 0.8
# How long the attract screen confirms "forgotten" to the shopper who asked (or until the next start).
NOTICE_MS = 12_000


class EventSink(Protocol):
    def record(self, session_id: str, data: ev.EventData) -> object: ...

    def forget_session(self, session_id: str) -> int:
        """Drops the session's unsent events and has what was sent erased at the backend."""
        ...


class FloorMap(Protocol):
    """Where a tap on the picture meets the floor (kiosk/app/furniture.py), in metres."""

    def floor_point(self, u: float, v: float) -> tuple[float, float] | None: ...


@dataclass(frozen=True)
class Recommendation:
    product_id: str
    sku: str
    reason_en: str
    reason_ar: str
    delta_e: float | None = None  # ΔE2000 to the shopper's skin
    grade: str | None = None  # close / near / none for skin-matched kinds (recommender.shade_match)
    closer_out_of_stock: str | None = None  # sku of a closer shade that is sold out


@dataclass(frozen=True)
class ToneOverride:
    """The shopper's correction of the tone we measured ("this is how we see your tone — adjust")."""

    mst: int
    undertone: str


# (measured tone, the shopper's correction or None) → ranked recommendations.
RecommendFn = Callable[[SkinTone, ToneOverride | None], list[Recommendation]]


@dataclass
class HelpCall:
    id: int | None  # the backend's help request; None when the request failed
    status: str  # open | acknowledged | resolved | failed
    requested_ms: float


@dataclass(frozen=True)
class Ticket:
    """The handoff the summary screen shows: the code, its link, and what went with it."""

    code: str
    url: str
    items: int
    snapshot: bool


@dataclass(frozen=True)
class TicketFailed:
    error: str  # backend_unreachable


@dataclass(frozen=True)
class Caption:
    text: str  # the assistant's answer; the shopper's question is never kept
    lang: str


@dataclass(frozen=True)
class SpeechPrefs:
    muted: bool
    volume: float


# What a command asks of the composition root (slow calls, run on a worker thread).
@dataclass(frozen=True)
class CallStaff:
    session_id: str


@dataclass(frozen=True)
class AskAssistant:
    session_id: str
    text: str
    lang: str | None


@dataclass(frozen=True)
class SendHandoff:
    session_id: str
    items: tuple[Selection, ...]
    include_photo: bool


Effect = CallStaff | AskAssistant | SendHandoff


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
    selections: dict[str, Selection] = field(default_factory=dict)  # kind → the shade on
    applied_ms: dict[str, float] = field(default_factory=dict)  # kind → when its shade went on
    basket: list[Selection] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)  # furniture on the floor
    placed_ms: list[float] = field(default_factory=list)
    selected: int | None = None  # the placement the shopper is moving
    split: float | None = None
    tone: SkinTone | None = None  # measured
    tone_override: ToneOverride | None = None
    tone_sent: bool = False
    recommendations: list[Recommendation] = field(default_factory=list)
    help: HelpCall | None = None
    handoff: Ticket | TicketFailed | None = None
    assistant: Caption | None = None  # the assistant's last reply, as the page captions it
    speech: SpeechPrefs | None = None  # the shopper's choice for spoken replies; None = kiosk default
    photo_round: int = 0  # bumped by "retake" on the summary screen
    last_touch_ms: float = 0.0
    face_seen_ms: float = 0.0
    recorded: bool = False  # whether any event of this session reached the outbox


def handoff_list(s: ShopperSession) -> list[Selection]:
    """What goes on the shopper's list: the basket, else what is on show (face or floor)."""
    on_show = [Selection(p.product_id, p.variant, 1.0) for p in s.placements] or list(s.selections.values())
    return list(s.basket or on_show)


def page_config() -> dict[str, Any]:
    """The rules the page follows and does not copy: the commands it may send (JSON Schema by
    name), the tone choices it offers (the Monk scale's swatches, one per depth) and where the
    intensity slider rests before a shade is on. Sent once when the page connects
    (kiosk/app/server.py)."""
    return {
        "commands": c.command_schema(),
        "default_intensity": DEFAULT_INTENSITY,
        "undertones": list(UNDERTONES),
        "mst_swatches": list(MST_SWATCHES),  # Monk Skin Tone 1..N, for the "how we see your tone" chip
    }


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
        floor: FloorMap | None = None,
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
        self.speech_defaults: SpeechPrefs | None = None  # set when replies are spoken
        self._recommend = recommend
        self._floor = floor  # furniture mode: taps on the picture → the floor
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
        # The one table from command to handler; kiosk/app/commands.py types what each receives.
        self._handlers: dict[type[c.Command], Callable[[Any, float], Effect | None]] = {
            c.Touch: self._touch, c.Lang: self._lang, c.Speech: self._speech, c.Start: self._start,
            c.Consent: self._consent, c.Mode: self._mode, c.Select: self._select, c.Remove: self._remove,
            c.Clear: self._clear, c.Intensity: self._intensity, c.Preset: self._preset,
            c.Split: self._split, c.Tone: self._tone, c.RecAccept: self._rec_accept,
            c.BasketAdd: self._basket_add, c.BasketRemove: self._basket_remove,
            c.FloorTap: self._f_tap, c.FPlace: self._f_place, c.FMove: self._f_move,
            c.FRotate: self._f_rotate, c.FVariant: self._f_variant, c.FSelect: self._f_select,
            c.FRemove: self._f_remove, c.Summary: self._summary, c.Back: self._back,
            c.Retake: self._retake, c.End: self._end_cmd, c.Forget: self._forget, c.Help: self._help,
            c.Ask: self._ask, c.Handoff: self._handoff,
        }  # fmt: skip

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

    def _record(self, data: ev.EventData) -> None:
        """`data` is the event: its model in kiosk/events.py names the kind and checked the fields."""
        assert self.session is not None
        self.session.recorded = True
        self._events.record(self.session.id, data)

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
    def handle(self, cmd: c.Command, now_ms: float) -> Effect | None:
        """Every command from the page, parsed by kiosk/app/commands.py; returns the slow call
        the composition root is to make for it, if any."""
        handler = self._handlers[type(cmd)]
        with self._lock:
            if self.session is not None:
                self.session.last_touch_ms = now_ms
            effect = handler(cmd, now_ms)
            self._changed()
            return effect

    def _need(self, *phases: Phase) -> ShopperSession:
        if self.phase not in phases or self.session is None:
            raise CommandError(f"not possible on the {self.phase.value} screen")
        return self.session

    def _touch(self, cmd: c.Touch, now: float) -> None:
        """Keeping the session alive is all it does (handle does it for every command)."""

    def _lang(self, cmd: c.Lang, now: float) -> None:
        self.lang = cmd.lang
        if self.session is not None:
            self.session.lang = cmd.lang

    def _speech(self, cmd: c.Speech, now: float) -> None:
        s = self.session
        if s is None or self.speech_defaults is None:
            raise CommandError("spoken replies are not available now")
        s.speech = SpeechPrefs(cmd.muted, cmd.volume)

    def _start(self, cmd: c.Start | c.Help, now: float) -> None:
        if self.phase != Phase.ATTRACT:
            raise CommandError("a session is already running")
        self.notice = None  # the last shopper's confirmation is not the next one's business
        self.session = ShopperSession(id=str(uuid.uuid4()), started_ms=now, lang=self.lang, last_touch_ms=now)
        self.session.face_seen_ms = now
        self.phase = Phase.CONSENT

    def _consent(self, cmd: c.Consent, now: float) -> None:
        s = self._need(Phase.CONSENT)
        s.consent = cmd.accept
        if not s.consent:
            self._record(ev.ConsentDeclined())
            self._record(ev.SessionStarted(mode="none"))
            s.mode = "none"
            self.phase = Phase.MIRROR
            return
        s.share_tone = cmd.share_tone
        self._record(ev.ConsentGiven())
        if len(self.modes) == 1:
            self._enter_mode(s, self.modes[0], now)
        else:
            self.phase = Phase.MODE

    def _mode(self, cmd: c.Mode, now: float) -> None:
        s = self._need(Phase.MODE)
        if cmd.mode not in self.modes:
            raise CommandError(f"mode must be one of {self.modes}", "bad_input")
        self._enter_mode(s, cmd.mode, now)

    def _enter_mode(self, s: ShopperSession, mode: str, now: float) -> None:
        s.mode = mode
        if mode == "furniture":
            self.status.pop("shopper", None)  # the face is not looked at from here on
        self._record(ev.SessionStarted(mode=mode))
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
            self._record(ev.ProductTried(product_id=old.product_id, shade_sku=old.sku, dwell_ms=dwell))

    def _shade_selection(self, sku: str | None, intensity: float | None) -> Selection:
        try:
            product, shade = self.catalogue.shade(str(sku))
        except KeyError:
            raise CommandError(f"unknown shade {sku!r}", "unknown_product") from None
        if product.kind not in MAKEUP_KINDS:
            raise CommandError(f"{sku} is not a makeup shade", "unknown_product")
        return Selection(product.id, shade.sku, DEFAULT_INTENSITY if intensity is None else intensity)

    def _select(self, cmd: c.Select, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        sel = self._shade_selection(cmd.sku, cmd.intensity)
        current = s.selections.get(self.catalogue.shade(sel.sku)[0].kind)
        if current is not None and cmd.intensity is None:
            sel = Selection(sel.product_id, sel.sku, current.intensity)  # keep the shopper's slider
        self._put_on(s, sel, now)

    def _remove(self, cmd: c.Remove, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        self._take_off(s, cmd.kind, now)

    def _clear(self, cmd: c.Clear, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        for kind in list(s.selections):
            self._take_off(s, kind, now)

    def _intensity(self, cmd: c.Intensity, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        old = s.selections.get(cmd.kind)
        if old is None:
            raise CommandError(f"nothing applied for {cmd.kind!r}", "bad_input")
        s.selections[cmd.kind] = Selection(old.product_id, old.sku, cmd.value)

    def _preset(self, cmd: c.Preset, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        preset = self.presets.get(cmd.id)
        if preset is None:
            raise CommandError(f"unknown preset {cmd.id!r}", "unknown_product")
        for kind in list(s.selections):
            self._take_off(s, kind, now)
        for item in preset.items:
            self._put_on(s, item, now)

    def _split(self, cmd: c.Split, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.SUMMARY)
        s.split = cmd.x

    def _tone(self, cmd: c.Tone, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        if cmd.reset:
            s.tone_override = None
        else:
            assert cmd.mst is not None and cmd.undertone is not None  # the command's own check
            s.tone_override = ToneOverride(cmd.mst, cmd.undertone)
        self._refresh_recommendations(s)

    def _rec_accept(self, cmd: c.RecAccept, now: float) -> None:
        s = self._need(Phase.MAKEUP)
        for position, rec in enumerate(s.recommendations):
            if rec.sku == cmd.sku:
                self._put_on(s, self._shade_selection(cmd.sku, cmd.intensity), now)
                self._record(
                    ev.RecommendationAccepted(
                        product_id=rec.product_id,
                        shade_sku=rec.sku,
                        position=position,
                        model_version=self.model_version,
                    )
                )
                return
        raise CommandError(f"{cmd.sku!r} is not among the recommendations", "unknown_product")

    def _basket_add(self, cmd: c.BasketAdd, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE, Phase.SUMMARY)
        if s.mode == "furniture":
            sel = Selection(*self._variant(cmd.product_id, cmd.sku), 1.0)
        else:
            sel = self._shade_selection(cmd.sku, cmd.intensity)
            if self.catalogue.shade(sel.sku)[1].stock <= 0:
                raise CommandError(f"{sel.sku} is sold out here", "out_of_stock")
        if all(b.sku != sel.sku for b in s.basket):
            s.basket.append(sel)
            self._record(ev.AddedToBasket(product_id=sel.product_id, shade_sku=sel.sku))

    def _basket_remove(self, cmd: c.BasketRemove, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE, Phase.SUMMARY)
        s.basket = [b for b in s.basket if b.sku != cmd.sku]

    # -- furniture: positions on the floor in metres (a tap is turned into one by `_f_tap`)
    def _variant(self, product_id: str | None, variant: str | None) -> tuple[str, str]:
        product = next((p for p in self.catalogue.by_kind("furniture") if p.id == product_id), None)
        if product is None or not product.variants:
            raise CommandError(f"unknown furniture {product_id!r}", "unknown_product")
        if variant is None:
            return product.id, product.variants[0].sku
        if all(v.sku != variant for v in product.variants):
            raise CommandError(f"{product_id} has no variant {variant!r}", "unknown_product")
        return product.id, variant

    def _placement_index(self, s: ShopperSession, index: int | None) -> int:
        index = s.selected if index is None else index
        if index is None or not 0 <= index < len(s.placements):
            raise CommandError("no such piece on the floor", "bad_input")
        return index

    def _f_tap(self, cmd: c.FloorTap, now: float) -> None:
        if self._floor is None:
            raise CommandError("furniture mode is not configured on this kiosk", "bad_input")
        point = self._floor.floor_point(cmd.u, cmd.v)
        # Above the horizon, or so near it that the ray meets the floor beyond the room.
        if point is None or max(abs(point[0]), abs(point[1])) > FLOOR_REACH_M:
            raise CommandError("tap on the floor", "off_floor")
        x, z = float(point[0]), float(point[1])
        s = self._need(Phase.FURNITURE)
        if cmd.action == "move":
            self._move(s, cmd.index, x, z)
        else:
            self._place(s, cmd.product_id, cmd.variant, x, z, now)

    def _f_place(self, cmd: c.FPlace, now: float) -> None:
        self._place(self._need(Phase.FURNITURE), cmd.product_id, cmd.variant, cmd.x, cmd.z, now)

    def _place(
        self, s: ShopperSession, product_id: str | None, variant: str | None, x: float, z: float, now: float
    ) -> None:
        if len(s.placements) >= MAX_PLACEMENTS:
            raise CommandError(f"at most {MAX_PLACEMENTS} pieces at once", "too_many_pieces")
        product_id, variant = self._variant(product_id, variant)
        s.placements.append(Placement(product_id, variant, x, z))
        s.placed_ms.append(now)
        s.selected = len(s.placements) - 1

    def _f_move(self, cmd: c.FMove, now: float) -> None:
        self._move(self._need(Phase.FURNITURE), cmd.index, cmd.x, cmd.z)

    def _move(self, s: ShopperSession, index: int | None, x: float, z: float) -> None:
        i = self._placement_index(s, index)
        s.placements[i] = s.placements[i].moved(x, z)

    def _f_rotate(self, cmd: c.FRotate, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd.index)
        s.placements[i] = s.placements[i].turned(cmd.degrees)

    def _f_variant(self, cmd: c.FVariant, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd.index)
        _, variant = self._variant(s.placements[i].product_id, cmd.variant)
        self._tried_furniture(s, i, now)
        s.placements[i] = s.placements[i].with_variant(variant)

    def _f_select(self, cmd: c.FSelect, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        s.selected = None if cmd.index is None else self._placement_index(s, cmd.index)

    def _f_remove(self, cmd: c.FRemove, now: float) -> None:
        s = self._need(Phase.FURNITURE)
        i = self._placement_index(s, cmd.index)
        self._tried_furniture(s, i, now)
        del s.placements[i], s.placed_ms[i]
        s.selected = None

    def _tried_furniture(self, s: ShopperSession, i: int, now: float) -> None:
        p = s.placements[i]
        self._record(
            ev.ProductTried(product_id=p.product_id, shade_sku=p.variant, dwell_ms=int(now - s.placed_ms[i]))
        )
        s.placed_ms[i] = now

    def _summary(self, cmd: c.Summary, now: float) -> None:
        s = self._need(Phase.MAKEUP, Phase.FURNITURE)
        s.split = None  # the list is shown with the whole look on
        self.phase = Phase.SUMMARY

    def _back(self, cmd: c.Back, now: float) -> None:
        s = self._need(Phase.SUMMARY)
        s.handoff = None
        self.phase = Phase(s.mode)

    def _retake(self, cmd: c.Retake, now: float) -> None:
        s = self._need(Phase.SUMMARY)
        s.photo_round += 1

    def _end_cmd(self, cmd: c.End, now: float) -> None:
        if self.session is None:
            raise CommandError("no session to end")
        self._end("done", now)

    def _forget(self, cmd: c.Forget, now: float) -> None:
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

    # -- commands that need a slow call: checked here, run by the composition root
    def _help(self, cmd: c.Help, now: float) -> CallStaff:
        if self.session is None:
            self._start(cmd, now)  # a shopper asking for help is a shopper
        return CallStaff(self.help_session())

    def _ask(self, cmd: c.Ask, now: float) -> AskAssistant:
        if not self.assistant_available:
            raise CommandError("the assistant is not available on this kiosk", "assistant_unavailable")
        if self.session is None:
            raise CommandError("the assistant answers once a session has started")
        return AskAssistant(self.session.id, cmd.text, cmd.lang)

    def _handoff(self, cmd: c.Handoff, now: float) -> SendHandoff:
        s = self._need(Phase.SUMMARY)
        items = handoff_list(s)
        if not items:
            raise CommandError("nothing on the list yet", "nothing_to_send")
        return SendHandoff(s.id, tuple(items), cmd.include_photo)

    # -- results of slow calls made by the composition root -------------------------------
    def set_handoff(self, session_id: str, result: Ticket | TicketFailed) -> None:
        with self._lock:
            s = self.session
            if s is None or s.id != session_id or self.phase != Phase.SUMMARY:
                self._late(session_id)  # the shopper left while the backend answered
                return
            s.handoff = result
            if isinstance(result, Ticket):
                self._record(ev.Handoff(code=result.code, items=result.items, snapshot=result.snapshot))
            self._changed()

    def help_session(self) -> str:
        with self._lock:
            if self.session is None:
                raise CommandError("staff can be called once a session has started")
            if self.session.help is not None and self.session.help.status != "failed":
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
            if previous is None or previous.id != help_id:
                s.help = HelpCall(help_id, status, now_ms)
                if help_id is not None:
                    self._record(ev.HelpRequested(help_request_id=help_id, reason=reason))
            elif previous.status != status:
                previous.status = status
                if status == "acknowledged":
                    wait = int(now_ms - previous.requested_ms)
                    self._record(ev.HelpAnswered(help_request_id=help_id, wait_ms=wait))
            self._changed()

    def set_assistant(self, session_id: str, reply: Caption, event: ev.AssistantQuestion | None) -> None:
        """The assistant's reply, and the event that keeps only the question's intent."""
        with self._lock:
            s = self.session
            if s is None or s.id != session_id:
                return
            s.assistant = reply
            if event is not None:
                self._record(event)
            self._changed()

    def _late(self, session_id: str) -> None:
        """A backend call for a session that has ended came back. If the shopper asked to be
        forgotten, what that call created may have landed after the erasure went: erase again."""
        if session_id in self._forgotten:
            self._events.forget_session(session_id)

    # -- what the pipeline sees ----------------------------------------------------------
    def observe(
        self, now_ms: float, face_present: bool | None, tone: SkinTone | None, light: str | None
    ) -> None:
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
                        self._record(ev.SkinToneShared(mst=tone.mst, undertone=tone.undertone))
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
            self._record(ev.SessionEnded(reason=reason, duration_ms=int(now - s.started_ms)))
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
                ev.RecommendationShown(
                    product_id=rec.product_id,
                    shade_sku=rec.sku,
                    position=position,
                    model_version=self.model_version,
                )
            )

    # -- what the page sees ----------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The state message's JSON: the one place the machine's state becomes plain data."""
        with self._lock:
            s = self.session
            assistant_shown = self.assistant_available and s is not None and self.phase in ASSISTANT_PHASES
            return {
                "version": self.version,
                "phase": self.phase.value,
                "lang": self.lang,
                "modes": list(self.modes),
                "assistant_shown": assistant_shown,
                "speech_defaults": _json(self.speech_defaults),
                "catalogue_version": self.catalogue.version,
                "status": dict(self.status),
                "notice": self.notice,
                "session": None if s is None else _session_json(s),
            }


def _json(value: Any) -> Any:
    return None if value is None else asdict(value)


def _tone_json(tone: SkinTone) -> dict[str, Any]:
    return {
        "lab": list(tone.lab),
        "mst": tone.mst,
        "undertone": tone.undertone,
        "ita_class": tone.ita_class,
        "confidence": tone.confidence,
    }


def _session_json(s: ShopperSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "selections": {
            k: {"product_id": v.product_id, "sku": v.sku, "intensity": v.intensity}
            for k, v in s.selections.items()
        },
        "basket": [{"product_id": b.product_id, "sku": b.sku} for b in s.basket],
        "handoff_items": [{"product_id": i.product_id, "sku": i.sku} for i in handoff_list(s)],
        "mode": s.mode,
        "placements": [
            {"product_id": p.product_id, "variant": p.variant, "x": p.x, "z": p.z, "yaw": p.yaw_deg}
            for p in s.placements
        ],
        "selected": s.selected,
        "split": s.split,
        "tone": None if s.tone is None else _tone_json(s.tone),
        "tone_override": _json(s.tone_override),
        "recommendations": [asdict(r) for r in s.recommendations],
        "help": None if s.help is None else {"status": s.help.status},
        "handoff": _json(s.handoff),
        "assistant": _json(s.assistant),
        "speech": _json(s.speech),
        "photo_round": s.photo_round,
    }
