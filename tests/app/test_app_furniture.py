"""Furniture mode end to end: a kiosk with a floor calibration, on a synthetic showroom still
(the furniture tests' camera), driven by taps in headless Chromium."""

from __future__ import annotations

import time

import cv2
import httpx
import numpy as np
import pytest

from kiosk.app.demo import write_demo_showroom
from kiosk.app.framehub import unpack
from kiosk.app.runtime import KioskRuntime
from kiosk.app.settings import KioskSettings
from kiosk.loopback import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def showroom(tmp_path_factory) -> tuple:
    """(image, floor calibration) of the showroom still that `kiosk demo --furniture` uses."""
    return write_demo_showroom(tmp_path_factory.mktemp("showroom"))


@pytest.fixture(scope="module")
def furniture_kiosk(showroom, backend, tmp_path_factory):
    image, calibration = showroom
    settings = KioskSettings(
        source=str(image),
        floor_calibration=calibration,
        backend_url=backend.url,
        kiosk_token=backend.kiosk_token,
        data_dir=tmp_path_factory.mktemp("kiosk-furniture"),
        ui_port=free_port(),
    )
    runtime = KioskRuntime(settings).start()
    runtime.serve_in_thread()
    while not runtime.pipeline.ready:
        time.sleep(0.05)
    yield runtime, f"http://127.0.0.1:{settings.ui_port}"
    runtime.stop()


def latest_frame(runtime: KioskRuntime) -> np.ndarray:
    jpeg = unpack(runtime.hub.latest.data)[3]
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).astype(np.int16)


def changed_fraction(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.abs(a - b).max(axis=2) > 40).mean())


def wait_frame(
    runtime: KioskRuntime, reference: np.ndarray, changed: bool, timeout_s: float = 60.0
) -> np.ndarray:
    """The first streamed frame that differs from (or matches) `reference`; renders take seconds."""
    deadline = time.monotonic() + timeout_s
    while True:
        frame = latest_frame(runtime)
        if (changed_fraction(reference, frame) > 0.01) == changed:
            return frame
        assert time.monotonic() < deadline, "the streamed picture never changed as expected"
        time.sleep(0.1)


def wait_state(page, expression: str) -> None:
    page.wait_for_function(
        f"(() => {{ const s = window.__maraya.state; return {expression}; }})()", timeout=20_000
    )


def test_place_move_turn_and_remove_furniture_by_tapping(browser, furniture_kiosk):
    runtime, url = furniture_kiosk
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url + "/")
    page.wait_for_function("window.__maraya && window.__maraya.stats.drawn > 0")
    page.click("#start-btn")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=mode]")
    page.click("#mode-buttons button >> nth=1")  # furniture
    page.wait_for_selector("body[data-phase=furniture]")
    empty = latest_frame(runtime)
    calls = runtime.pipeline.tracker_calls

    page.click('#f-items [data-product="fur-armchair"]')
    box = page.locator("#video").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)  # the floor
    wait_state(page, "s.session.placements.length === 1")
    frames_before = runtime.pipeline.frames_out
    wait_frame(runtime, empty, changed=True)  # an armchair is in the picture
    assert runtime.pipeline.frames_out > frames_before + 5  # …and the mirror kept streaming meanwhile

    page.click("#f-rot-right")
    wait_state(page, "s.session.placements[0].yaw === 15")
    before_move = page.evaluate("window.__maraya.state.session.placements[0]")
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6, steps=8)
    page.mouse.up()
    wait_state(page, f"s.session.placements[0].x < {before_move['x'] - 0.2}")

    page.click("#f-remove")
    wait_state(page, "s.session.placements.length === 0")
    wait_frame(runtime, empty, changed=False)  # back to the bare floor
    assert runtime.pipeline.tracker_calls == calls  # furniture mode never looks at a face
    state = runtime.machine.snapshot()
    assert state["status"].get("floor") is None
    page.click("#end-btn")
    page.close()


def test_the_floor_is_lost_without_the_board_when_tracking(showroom):
    from kiosk.app.furniture import FurnitureStage
    from recommender.catalogue import load_catalogue

    still, calibration = showroom
    stage = FurnitureStage(calibration, load_catalogue(), tracking=True, mirrored=False)
    image = cv2.imread(str(still))  # a showroom with no board on the floor
    try:
        out, floor_known = stage.process(image, 0.0, ())
        assert not floor_known and stage.floor_point(0.5, 0.8) is None
        assert out.shape == image.shape
    finally:
        stage.close()


def test_a_bad_calibration_leaves_makeup_only(tmp_path, backend):
    bad = tmp_path / "floor.json"
    bad.write_text("{not json")
    settings = KioskSettings(source="0", floor_calibration=bad, data_dir=tmp_path, backend_url=backend.url)
    runtime = KioskRuntime(settings)
    try:
        assert runtime.furniture is None and runtime.machine.modes == ("makeup",)
    finally:
        runtime.link.stop()
    assert httpx.get(backend.url + "/healthz").status_code == 200
