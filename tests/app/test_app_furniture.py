"""Furniture mode end to end: a kiosk with a floor calibration, on a synthetic showroom still
(the furniture tests' camera), driven by taps in headless Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from kiosk.app.demo import write_demo_showroom
from kiosk.app.framehub import unpack
from kiosk.app.runtime import KioskRuntime
from kiosk.app.settings import KioskSettings
from kiosk.loopback import free_port, serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def showroom(tmp_path_factory) -> tuple:
    """(image, floor calibration) of the showroom still that `kiosk demo --furniture` uses."""
    return write_demo_showroom(tmp_path_factory.mktemp("showroom"))


@contextmanager
def running_furniture_kiosk(image, calibration, backend, data_dir) -> Iterator[tuple[KioskRuntime, str]]:
    """A kiosk in furniture mode on a still, served on loopback: (runtime, launch URL)."""
    settings = KioskSettings(
        source=str(image),
        floor_calibration=calibration,
        backend_url=backend.url,
        kiosk_token=backend.kiosk_token,
        data_dir=data_dir,
        ui_port=free_port(),
    )
    runtime = KioskRuntime(settings).start()
    server = serve_in_thread(runtime.ui_server(), "ui-server")
    while not runtime.pipeline.ready:
        time.sleep(0.05)
    yield runtime, settings.ui_launch_url
    runtime.stop()
    server.join(timeout=5)


@pytest.fixture(scope="module")
def furniture_kiosk(showroom, backend, tmp_path_factory):
    image, calibration = showroom
    data_dir = tmp_path_factory.mktemp("kiosk-furniture")
    with running_furniture_kiosk(image, calibration, backend, data_dir) as kiosk:
        yield kiosk


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


def open_furniture_mode(browser, url: str):
    """A shopper's page on the kiosk, past the welcome and consent, in furniture mode."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_function("window.__maraya && window.__maraya.stats.drawn > 0")
    page.click("#start-btn")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=mode]")
    page.click("#mode-buttons button >> nth=1")  # furniture
    page.wait_for_selector("body[data-phase=furniture]")
    return page


def test_place_move_turn_and_remove_furniture_by_tapping(browser, furniture_kiosk):
    runtime, url = furniture_kiosk
    page = open_furniture_mode(browser, url)
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
    from catalogue import load_catalogue
    from kiosk.app.furniture import FurnitureStage

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


PERSON = (0.2, -0.4)  # floor point the shopper stands on (the camera is at z = +1.8)
BEHIND = (0.2, -1.5)  # where the sofa goes: behind them


@pytest.fixture(scope="module")
def shopper_showroom(tmp_path_factory) -> tuple:
    """(image, calibration, the shopper's alpha): a real person (cut out of a photo, see
    tests/data/PROVENANCE.md) standing in the showroom, seen by the gallery's kiosk camera."""
    from vision.plane import Calibration
    from vision.render.gallery import kiosk_truth
    from vision.render.showroom import render_showroom, stand_cutout

    folder = tmp_path_factory.mktemp("shopper")
    intrinsics, pose = kiosk_truth()
    cutout = cv2.imread(str(Path(__file__).parents[1] / "data" / "bus_person_a.png"), cv2.IMREAD_UNCHANGED)
    room = render_showroom(intrinsics, pose, supersample=1)
    image, alpha = stand_cutout(room, intrinsics, pose, cutout, *PERSON, 1.78)
    cv2.imwrite(str(folder / "shopper.png"), image)
    Calibration(intrinsics, pose).save(folder / "floor.json")
    return folder / "shopper.png", folder / "floor.json", alpha


@pytest.fixture(scope="module")
def shopper_kiosk(shopper_showroom, backend, tmp_path_factory):
    image, calibration, _ = shopper_showroom
    data_dir = tmp_path_factory.mktemp("kiosk-shopper")
    with running_furniture_kiosk(image, calibration, backend, data_dir) as kiosk:
        yield kiosk


def test_a_shopper_stays_in_front_of_a_sofa_placed_behind_them(browser, shopper_kiosk, shopper_showroom):
    from catalogue import load_catalogue
    from vision.plane import Calibration, Placement, project_world
    from vision.render import Camera, FurnitureTryOn, Light, ModelLibrary

    runtime, url = shopper_kiosk
    image_path, calibration_path, alpha = shopper_showroom
    calibration = Calibration.load(calibration_path)
    page = open_furniture_mode(browser, url)
    empty = latest_frame(runtime)
    page.click('#f-items [data-product="fur-sofa"]')
    u, v = project_world(np.array([[BEHIND[0], 0.0, BEHIND[1]]]), calibration.intrinsics, calibration.pose)[0]
    box = page.locator("#video").bounding_box()
    page.mouse.click(box["x"] + box["width"] * u / 1280, box["y"] + box["height"] * v / 720)
    wait_state(page, "s.session.placements.length === 1")
    wait_frame(runtime, empty, changed=True)  # the sofa is in the picture
    time.sleep(1.0)  # a few more frames: people found, matte settled
    shown = latest_frame(runtime)
    assert runtime.furniture.people_seen == 1

    # Where the sofa the kiosk placed covers the shopper, the shopper must still be seen.
    placed = page.evaluate("window.__maraya.state.session.placements[0]")
    sofa = Placement(placed["product_id"], placed["variant"], placed["x"], placed["z"], placed["yaw"])
    layer = FurnitureTryOn(ModelLibrary(load_catalogue())).layer(
        Camera(calibration.intrinsics, calibration.pose), (sofa,), Light()
    )
    x0, y0, w, h = layer.box
    silhouette = np.zeros(alpha.shape, bool)
    silhouette[y0 : y0 + h, x0 : x0 + w] = np.isfinite(layer.forward)
    original = cv2.imread(str(image_path)).astype(np.int16)
    over_shopper = silhouette & (alpha > 0.99)
    bare_sofa = silhouette & (alpha < 0.01)
    assert over_shopper.sum() > 3000  # the sofa really is behind them in the picture
    assert np.abs(shown - original).max(2)[over_shopper].mean() < 8  # the shopper, untouched (JPEG)
    assert np.abs(shown - original).max(2)[bare_sofa].mean() > 20  # the sofa is drawn elsewhere
    page.click("#end-btn")
    page.close()
