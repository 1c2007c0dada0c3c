"""The kiosk state machine, driven directly with a clock: transitions, events, wipe on end."""

from __future__ import annotations

import sqlite3

import pytest

from catalogue import load_catalogue
from kiosk.app.catalogue_view import Selection, build_look, load_presets
from kiosk.app.commands import CommandError, parse_command
from kiosk.app.machine import (
    NOTICE_MS,
    Caption,
    KioskMachine,
    Phase,
    Recommendation,
    SendHandoff,
    Ticket,
    ToneOverride,
)
from kiosk.assistant.assistant import AssistantTurn
from kiosk.events import EventData
from kiosk.sync.outbox import Outbox
from vision.skin import SkinTone

CATALOGUE = load_catalogue()


class EventLog:
    """Collects what the machine hands to the outbox."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict]] = []
        self.forgotten: list[str] = []

    def record(self, session_id: str, data: EventData) -> None:
        self.events.append((session_id, data.kind, data.wire()))

    def forget_session(self, session_id: str) -> int:
        self.forgotten.append(session_id)
        gone = [e for e in self.events if e[0] == session_id]
        self.events = [e for e in self.events if e[0] != session_id]
        return len(gone)

    def kinds(self) -> list[str]:
        return [k for _, k, _ in self.events]


def make(recommend=None, modes=("makeup",)) -> tuple[KioskMachine, EventLog]:
    log = EventLog()
    machine = KioskMachine(
        CATALOGUE,
        load_presets(CATALOGUE),
        log,
        default_lang="ar",
        idle_timeout_s=60,
        face_gone_s=10,
        modes=modes,
        recommend=recommend,
        model_version="m1",
    )
    return machine, log


def consented(machine: KioskMachine, t: float = 0.0, share_tone: bool = False) -> None:
    machine.handle(parse_command({"cmd": "start"}), t)
    machine.handle(parse_command({"cmd": "consent", "accept": True, "share_tone": share_tone}), t)


def test_attract_to_makeup_records_consent_and_session_start():
    machine, log = make()
    assert machine.phase is Phase.ATTRACT and not machine.plan().analyse
    machine.handle(parse_command({"cmd": "start"}), 0)
    assert machine.phase is Phase.CONSENT and not machine.plan().analyse
    assert log.events == []  # nothing recorded before the shopper answers
    machine.handle(parse_command({"cmd": "consent", "accept": True}), 10)
    assert machine.phase is Phase.MAKEUP
    assert log.kinds() == ["consent_given", "session_started"]
    assert log.events[1][2] == {"mode": "makeup"}
    assert machine.plan().analyse


def test_two_modes_show_the_mode_screen():
    machine, _ = make(modes=("makeup", "furniture"))
    consented(machine)
    assert machine.phase is Phase.MODE
    with pytest.raises(CommandError):
        machine.handle(parse_command({"cmd": "mode", "mode": "cars"}), 1)
    machine.handle(parse_command({"cmd": "mode", "mode": "makeup"}), 1)
    assert machine.phase is Phase.MAKEUP


def test_decline_is_a_plain_mirror_with_no_analysis():
    machine, log = make()
    machine.handle(parse_command({"cmd": "start"}), 0)
    machine.handle(parse_command({"cmd": "consent", "accept": False}), 1)
    assert machine.phase is Phase.MIRROR
    assert not machine.plan().analyse
    assert log.kinds() == ["consent_declined", "session_started"]
    with pytest.raises(CommandError):
        machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 2)
    # the pipeline reports no face data in a mirror session; nothing about a face is recorded
    assert not {"skin_tone", "product_tried"} & set(log.kinds())


def test_select_builds_the_look_and_dwell_is_recorded_on_change():
    machine, log = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 1000)
    look = machine.plan().look
    assert [(layer.kind, layer.colors[0], layer.finish) for layer in look.layers] == [
        ("lipstick", "#9e1b32", "matte")
    ]
    machine.handle(parse_command({"cmd": "intensity", "kind": "lipstick", "value": 0.4}), 1500)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-02"}), 3000)
    assert machine.plan().look.layers[0].intensity == pytest.approx(0.4)  # the slider survives a shade change
    tried = [d for _, k, d in log.events if k == "product_tried"]
    assert tried == [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 2000}]


def test_bad_commands_are_refused_with_a_reason_and_change_nothing():
    machine, _ = make()
    consented(machine)
    before = machine.snapshot()
    for cmd in (
        {"cmd": "select", "sku": "NOPE"},
        {"cmd": "select", "sku": "SAH-LIP-01", "intensity": 3},
        {"cmd": "intensity", "kind": "blush", "value": 0.5},
        {"cmd": "lang", "lang": "fr"},
        {"cmd": "explode"},
        {"cmd": "preset", "id": "nope"},
        {"cmd": "tone", "mst": 14, "undertone": "warm"},
    ):
        with pytest.raises(CommandError):
            machine.handle(parse_command(cmd), 5)
    after = machine.snapshot()
    assert after["session"]["selections"] == before["session"]["selections"] == {}


def test_preset_replaces_the_whole_look_in_paint_order():
    machine, _ = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "select", "sku": "LUM-GLS-01"}), 1)
    machine.handle(parse_command({"cmd": "preset", "id": "evening"}), 2)
    kinds = [layer.kind for layer in machine.plan().look.layers]
    assert kinds == ["bronzer", "highlighter", "eyeshadow", "eyeliner", "lipstick"]
    assert machine.plan().look.layers[-1].colors == ("#9e1b32",)


def test_presets_with_unknown_skus_are_hidden():
    presets = load_presets(CATALOGUE)
    assert {p.id for p in presets} == {"everyday", "office", "evening", "bridal"}
    for p in presets:
        build_look(CATALOGUE, {CATALOGUE.shade(i.sku)[0].kind: i for i in p.items})


def test_idle_timeout_ends_the_session_and_wipes_the_shopper():
    machine, log = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "lang", "lang": "en"}), 1)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 2)
    machine.handle(parse_command({"cmd": "basket_add", "sku": "SAH-LIP-01"}), 3)
    machine.observe(29_000, True, None, None)  # the shopper is still there, just not touching
    machine.tick(30_000)
    assert machine.phase is Phase.MAKEUP
    machine.observe(60_000, True, None, None)
    machine.tick(3 + 60_001)
    assert machine.phase is Phase.ATTRACT
    assert machine.session is None
    snap = machine.snapshot()
    assert snap["session"] is None and snap["lang"] == "ar"
    assert not machine.plan().look.layers
    assert log.events[-1][1] == "session_ended" and log.events[-1][2]["reason"] == "idle"
    assert log.events[-2][1] == "product_tried"  # the shade still on was closed with its dwell


def test_face_gone_ends_the_session_as_walked_away():
    machine, log = make()
    consented(machine)
    machine.observe(1000, True, None, None)
    machine.tick(5000)
    assert machine.phase is Phase.MAKEUP
    machine.observe(5000, False, None, None)
    assert machine.snapshot()["status"]["shopper"] == "no_face"
    machine.tick(11_001)
    assert machine.phase is Phase.ATTRACT
    assert log.events[-1][2]["reason"] == "walked_away"
    assert "shopper" not in machine.snapshot()["status"]


def test_tone_settles_into_recommendations_and_is_recorded_only_when_shared():
    calls = []

    def recommend(tone: SkinTone, override: ToneOverride | None) -> list[Recommendation]:
        calls.append((tone.mst, override))
        return [Recommendation("lip-sahra-velvet", "SAH-LIP-03", "warm nude", "نود دافئ")]

    for share in (False, True):
        machine, log = make(recommend=recommend)
        consented(machine, share_tone=share)
        tone = SkinTone(
            lab=(55.0, 14.0, 22.0), ita=22.4, ita_class="tan", mst=6, undertone="warm", confidence=0.8
        )
        machine.observe(100, True, tone, None)
        assert machine.snapshot()["session"]["tone"] == {
            "lab": [55.0, 14.0, 22.0], "mst": 6, "undertone": "warm", "ita_class": "tan", "confidence": 0.8
        }  # fmt: skip
        assert [r["sku"] for r in machine.snapshot()["session"]["recommendations"]] == ["SAH-LIP-03"]
        assert ("skin_tone" in log.kinds()) is share
        assert log.kinds().count("recommendation_shown") == 1
    machine.handle(parse_command({"cmd": "tone", "mst": 7, "undertone": "cool"}), 200)
    assert calls[-1] == (6, ToneOverride(7, "cool"))
    assert machine.snapshot()["session"]["tone_override"] == {"mst": 7, "undertone": "cool"}
    machine.handle(parse_command({"cmd": "rec_accept", "sku": "SAH-LIP-03"}), 300)
    assert machine.snapshot()["session"]["selections"]["lipstick"]["sku"] == "SAH-LIP-03"
    assert log.kinds()[-1] == "recommendation_accepted"


def test_summary_handoff_and_help_results_are_tied_to_their_session():
    machine, log = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 1)
    machine.handle(parse_command({"cmd": "summary"}), 2)
    send = machine.handle(parse_command({"cmd": "handoff", "include_photo": True}), 3)
    session_id = machine.session.id
    assert send == SendHandoff(session_id, (Selection("lip-sahra-velvet", "SAH-LIP-01", 0.8),), True)
    # empty basket → the look on the face, and the page is shown the same list
    assert machine.snapshot()["session"]["handoff_items"] == [
        {"product_id": "lip-sahra-velvet", "sku": "SAH-LIP-01"}
    ]
    machine.set_handoff("another-session", Ticket("x", "u", 1, False))
    assert machine.snapshot()["session"]["handoff"] is None
    machine.set_handoff(session_id, Ticket("abc", "http://h/abc", 1, False))
    assert machine.snapshot()["session"]["handoff"] == {
        "code": "abc", "url": "http://h/abc", "items": 1, "snapshot": False
    }  # fmt: skip
    assert log.events[-1][1:] == ("handoff", {"code": "abc", "items": 1, "snapshot": False})
    machine.set_help(session_id, 17, "open", 100)
    machine.set_help(session_id, 17, "acknowledged", 4100)
    assert log.events[-1][1:] == ("help_answered", {"help_request_id": 17, "wait_ms": 4000})
    assert machine.snapshot()["session"]["help"] == {"status": "acknowledged"}


def test_furniture_commands_place_move_turn_recolour_and_remove():
    machine, log = make(modes=("makeup", "furniture"))
    consented(machine)
    machine.handle(parse_command({"cmd": "mode", "mode": "furniture"}), 0)
    plan = machine.plan()
    assert plan.furniture and not plan.analyse  # furniture never looks at the face
    machine.handle(parse_command({"cmd": "f_place", "product_id": "fur-sofa", "x": 0.5, "z": -1.0}), 1000)
    machine.handle(parse_command({"cmd": "f_move", "x": 0.2, "z": -1.5}), 1100)
    machine.handle(parse_command({"cmd": "f_rotate", "degrees": -30}), 1200)
    machine.handle(parse_command({"cmd": "f_variant", "variant": "DAR-SOFA-02"}), 3000)
    (placement,) = machine.plan().placements
    assert (placement.product_id, placement.variant, placement.x, placement.z, placement.yaw_deg) == (
        "fur-sofa", "DAR-SOFA-02", 0.2, -1.5, 330.0,
    )  # fmt: skip
    assert log.events[-1][1:] == (
        "product_tried",
        {"product_id": "fur-sofa", "shade_sku": "DAR-SOFA-01", "dwell_ms": 2000},
    )
    for bad in (
        {"cmd": "f_place", "product_id": "lip-sahra-velvet", "x": 0, "z": 0},
        {"cmd": "f_place", "product_id": "fur-sofa", "x": 99, "z": 0},
        {"cmd": "f_variant", "variant": "DAR-RUG-01"},
        {"cmd": "f_move", "index": 5, "x": 0, "z": 0},
    ):
        with pytest.raises(CommandError):
            machine.handle(parse_command(bad), 3100)
    machine.handle(parse_command({"cmd": "summary"}), 3200)
    send = machine.handle(parse_command({"cmd": "handoff"}), 3250)
    assert [(i.product_id, i.sku) for i in send.items] == [("fur-sofa", "DAR-SOFA-02")]
    machine.handle(parse_command({"cmd": "back"}), 3300)
    machine.handle(parse_command({"cmd": "f_remove"}), 4000)
    assert machine.plan().placements == ()
    machine.tick(4000 + 11_000)  # no face is watched in furniture mode: only the idle timeout ends it
    assert machine.phase is Phase.FURNITURE


def test_forget_me_ends_the_session_records_nothing_more_and_confirms_until_the_next_shopper():
    machine, log = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 1000)
    machine.handle(parse_command({"cmd": "summary"}), 2000)
    session_id = machine.session.id
    machine.handle(parse_command({"cmd": "forget"}), 3000)
    assert machine.session is None and machine.phase is Phase.ATTRACT
    assert log.forgotten == [session_id]
    # Nothing recorded after the request: no dwell time for the lipstick, no session_ended.
    assert log.events == []
    assert machine.snapshot()["notice"] == "forgotten"
    machine.tick(3000 + NOTICE_MS - 1)
    assert machine.snapshot()["notice"] == "forgotten"
    machine.tick(3000 + NOTICE_MS + 1)
    assert machine.snapshot()["notice"] is None
    with pytest.raises(CommandError, match="no session"):
        machine.handle(parse_command({"cmd": "forget"}), 30_000)
    # The next shopper never sees the last one's confirmation.
    consented(machine, 40_000)
    machine.handle(parse_command({"cmd": "forget"}), 41_000)
    machine.handle(parse_command({"cmd": "start"}), 42_000)
    assert machine.snapshot()["notice"] is None


def test_a_handoff_or_help_request_that_lands_after_forget_me_is_erased_again():
    machine, log = make()
    consented(machine)
    machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 1)
    machine.handle(parse_command({"cmd": "summary"}), 2)
    session_id = machine.handle(parse_command({"cmd": "handoff"}), 2).session_id  # on its way to the backend…
    machine.handle(parse_command({"cmd": "forget"}), 3)  # …when the shopper asks to be forgotten
    machine.set_handoff(session_id, Ticket("abc", "http://h/abc", 1, True))
    machine.set_help(session_id, 17, "open", 4)
    assert log.forgotten == [session_id] * 3
    assert log.events == []
    # A session that simply ended is not erased for a late answer.
    consented(machine, 10)
    other = machine.session.id
    machine.handle(parse_command({"cmd": "end"}), 11)
    machine.set_help(other, 18, "open", 12)
    assert other not in log.forgotten


# What the outbox stored (kind, then data) for these sessions when the machine still passed dicts
# (rev 4eeefe4): the backend and every kiosk already in a store read exactly these bytes.
WIRE = """\
consent_given
    {}
session_started
    {"mode":"makeup"}
product_tried
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-01","dwell_ms":5000}
recommendation_shown
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-03","position":0,"model_version":"m1+x"}
skin_tone
    {"mst":4,"undertone":"neutral"}
product_tried
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-02","dwell_ms":1990}
recommendation_accepted
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-03","position":0,"model_version":"m1+x"}
added_to_basket
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-03"}
help_requested
    {"help_request_id":17,"reason":"shopper"}
help_answered
    {"help_request_id":17,"wait_ms":2000}
assistant_question
    {"intent":"price","answered":true,"escalated":false,"lang":"ar"}
handoff
    {"code":"AB12CD34","items":1,"snapshot":true}
product_tried
    {"product_id":"lip-sahra-velvet","shade_sku":"SAH-LIP-03","dwell_ms":5000}
session_ended
    {"reason":"done","duration_ms":12000}
consent_declined
    {}
session_started
    {"mode":"none"}
session_ended
    {"reason":"done","duration_ms":1000}
"""


def test_the_events_the_machine_records_keep_their_wire_bytes(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    recommend = lambda tone, override: [Recommendation("lip-sahra-velvet", "SAH-LIP-03", "a", "b")]  # noqa: E731
    with Outbox(path) as box:
        machine = KioskMachine(
            CATALOGUE, load_presets(CATALOGUE), box, default_lang="ar", idle_timeout_s=60, face_gone_s=10,
            recommend=recommend, model_version="m1+x",
        )  # fmt: skip
        machine.assistant_available = True
        consented(machine, share_tone=True)
        machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-01"}), 10)
        machine.handle(parse_command({"cmd": "select", "sku": "SAH-LIP-02"}), 5010)
        machine.observe(6000, True, SkinTone.from_lab((55.0, 14.0, 22.0), confidence=0.8), None)
        machine.handle(parse_command({"cmd": "rec_accept", "sku": "SAH-LIP-03"}), 7000)
        machine.handle(parse_command({"cmd": "basket_add", "sku": "SAH-LIP-03"}), 7100)
        sid = machine.session.id
        machine.set_help(sid, "17", "open", 7200)  # the sync client's text id goes out as an integer
        machine.set_help(sid, "17", "acknowledged", 9200)
        machine.set_assistant(sid, Caption("x", "ar"), AssistantTurn("price", True, False, "ar").event_data())
        machine.handle(parse_command({"cmd": "summary"}), 9500)
        machine.set_handoff(sid, Ticket("AB12CD34", "http://h/x", 1, True))
        machine.handle(parse_command({"cmd": "end"}), 12000)
        machine.handle(parse_command({"cmd": "start"}), 40000)
        machine.handle(parse_command({"cmd": "consent", "accept": False}), 40000)
        machine.handle(parse_command({"cmd": "end"}), 41000)
    rows = sqlite3.connect(path).execute("SELECT kind, data FROM events ORDER BY id").fetchall()
    assert "".join(f"{kind}\n    {data}\n" for kind, data in rows) == WIRE
