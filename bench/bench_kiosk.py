"""End-to-end kiosk latency and the frame rate a headless browser actually receives.

Latency is measured inside the running kiosk from the capture timestamp to the moment the
frame's bytes are handed to the WebSocket, at 1280×720 with a full look on, against a
baseline measured in the same run: the plain mirror (no analysis) on the same clip. Stage
times (track, skin, render, encode) come from the pipeline. The browser figure counts the
frames Debian's chromium (headless, via Playwright) receives and draws over 10 s, on the demo
clip as shipped (640×360, 23.98 fps: it cannot deliver more than that) and on a 1280×720
copy of it re-timed to 30 fps. Goal: p95 < 50 ms, ≥ 25 fps received.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.stats import report
from kiosk.app.chromium import CHROMIUM, HEADLESS_ARGS
from kiosk.app.runtime import KioskRuntime
from kiosk.app.settings import DEMO_CLIP, KioskSettings
from kiosk.app.uiclient import UIClient
from kiosk.loopback import free_port

MEASURE_S = 12.0
FULL_LOOK = ("bridal", ["SAH-FND-3N", "SAH-LLN-02"])  # preset + foundation + liner: 8 layers


def make_clip(out: Path, size: tuple[int, int], fps: float, seconds: float = 10.0) -> Path:
    """The demo clip resized to `size` and re-timed to `fps` (same frames, new timestamps)."""
    cap = cv2.VideoCapture(str(DEMO_CLIP))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    for _ in range(int(seconds * fps)):
        ok, frame = cap.read()
        if not ok:
            break
        writer.write(cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR))
    writer.release()
    cap.release()
    return out


def start_kiosk(source: Path, data_dir: Path) -> tuple[KioskRuntime, str]:
    settings = KioskSettings(
        source=str(source),
        backend_url=f"http://127.0.0.1:{free_port()}",  # offline: events wait in the outbox
        data_dir=data_dir,
        ui_port=free_port(),
        idle_timeout_s=3600,
        face_gone_s=3600,
    )
    runtime = KioskRuntime(settings).start()
    runtime.serve_in_thread()
    while not runtime.pipeline.ready:
        time.sleep(0.05)
    return runtime, f"http://127.0.0.1:{settings.ui_port}"


def put_on_full_look(client: UIClient) -> None:
    client.send({"cmd": "start"})
    client.send({"cmd": "consent", "accept": True})
    client.wait_for(lambda s: s["phase"] == "makeup")
    preset, extra = FULL_LOOK
    client.send({"cmd": "preset", "id": preset})
    for sku in extra:
        client.send({"cmd": "select", "sku": sku})
    client.wait_for(lambda s: len(s["session"]["selections"]) == 8)


def measure_socket(runtime: KioskRuntime, client: UIClient, label: str, baseline=None):
    frames0, t0 = client.frames, time.monotonic()
    runtime.pipeline.timings.clear()
    time.sleep(MEASURE_S)
    lat = runtime.hub.latencies(MEASURE_S)
    fps = (client.frames - frames0) / (time.monotonic() - t0)
    report(f"{label}: capture → socket", lat, baseline)
    print(f"{'':<44} {fps:.1f} fps received by a WebSocket client", flush=True)
    return lat


def browser_fps(ui_url: str, seconds: float = 10.0) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(HEADLESS_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(ui_url + "/")
        page.wait_for_function("window.__maraya && window.__maraya.stats.drawn > 5")
        page.wait_for_timeout(1000)
        r0, d0 = page.evaluate("[window.__maraya.stats.received, window.__maraya.stats.drawn]")
        page.wait_for_timeout(seconds * 1000)
        r1, d1 = page.evaluate("[window.__maraya.stats.received, window.__maraya.stats.drawn]")
        browser.close()
    return (r1 - r0) / seconds, (d1 - d0) / seconds


def main() -> None:
    logging.getLogger("kiosk.sync").setLevel(logging.ERROR)  # offline on purpose: no retry chatter
    with tempfile.TemporaryDirectory(prefix="maraya-bench-kiosk-") as tmp:
        tmp_path = Path(tmp)
        clip720 = make_clip(tmp_path / "shopper_720p30.mp4", (1280, 720), 30.0)
        runtime, url = start_kiosk(clip720, tmp_path / "kiosk720")
        client = UIClient(url)
        try:
            client.wait_for(lambda s: s["phase"] == "attract")
            baseline = measure_socket(runtime, client, "1280×720 mirror (baseline)")
            put_on_full_look(client)
            time.sleep(1.0)
            measure_socket(runtime, client, "1280×720 full look (8 layers)", baseline)
            stages = np.array(runtime.pipeline.timings)
            for i, name in enumerate(("track", "skin", "render", "encode")):
                report(f"  stage {name}", stages[:, i])
            received, drawn = browser_fps(url)
            print(
                f"headless chromium, 1280×720 @30 full look: {received:.1f} fps received, {drawn:.1f} drawn"
            )
        finally:
            client.close()
            runtime.stop()

        runtime, url = start_kiosk(DEMO_CLIP, tmp_path / "kiosk-demo")
        client = UIClient(url)
        try:
            put_on_full_look(client)
            received, drawn = browser_fps(url)
            label = "headless chromium, demo clip (23.98 fps) full look"
            print(f"{label}: {received:.1f} fps received, {drawn:.1f} drawn")
        finally:
            client.close()
            runtime.stop()


if __name__ == "__main__":
    main()
