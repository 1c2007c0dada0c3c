"""Makeup pipeline at 1280×720: per-stage p50/p95 and makeup cost relative to landmarks.

The demo clip is upscaled to 720p and re-encoded once, so decoding is measured on a real
720p H.264/MPEG-4 stream. Goal (issue 2): a 5-layer look costs no more than landmark
detection, and the whole pipeline runs at ≥ 30 fps. Issue 10: the hand occluder (as the
kiosk runs it: the hand landmarker on every 3rd frame, optical flow between; the clip has a
hand at the face for about half its frames) plus makeup costs ≤ 1.5× landmarks. The same
occluder with the landmarker on every frame and every 2nd is timed alongside, for the
trade-off against hand paint that vision/occlusion/hands.py records. Issue 11: the store
light estimate (the eyes and the frame's white point, on every analysed frame) is a stage of
its own, and the shades are painted in it, as the kiosk paints them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.stats import p50_p95, report
from vision.capture import Frame, open_source, read_image
from vision.face import SMOOTHING_BETA, FaceTracker
from vision.light import LightEstimator
from vision.makeup import parse_look, render
from vision.occlusion import HandOccluder
from vision.smoothing import OneEuroFilter
from vision.tracking_quality import _landmark_runs, measure_tracking, video_jitter

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "assets" / "demo" / "shopper.mp4"
FIVE_LAYERS = (
    "foundation=#c99a78/0.5,blush=#e0828f/0.6,eyeshadow=#6b4e71+#c9a27e/shimmer/0.8,"
    "eyeliner=#141414/1/wing,lipstick=#9e1b32/gloss/1.0"
)
N_FRAMES = 300  # the first 300 frames: the hand comes up to the mouth at ~60 and leaves at ~230


def _make_720p_clip(path: Path) -> None:
    src = open_source(str(CLIP))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 24, (1280, 720))
    for i, frame in enumerate(src):
        if i >= N_FRAMES:
            break
        writer.write(cv2.resize(frame.image, (1280, 720), interpolation=cv2.INTER_CUBIC))
    writer.release()
    src.close()


def main() -> None:
    look = parse_look(FIVE_LAYERS)
    names = ("decode", "landmarks", "occlusion (hands)", "store light", "makeup (5 layers)", "jpeg encode")
    stages: dict[str, list[float]] = {k: [] for k in names}
    # The same occluder with the hand landmarker on more frames while tracking (outputs unused).
    other_rates: dict[int, list[float]] = {1: [], 2: []}
    hand_frames: list[int] = []  # sample indices of the frames where a hand was over the face
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip720.mp4"
        _make_720p_clip(clip)
        source = open_source(str(clip))
        with (
            FaceTracker(mode="video") as tracker,
            HandOccluder() as occluder,
            HandOccluder(track_every=1) as occluder_1st,
            HandOccluder(track_every=2) as occluder_2nd,
        ):
            store_light = LightEstimator(stream=True)  # as the kiosk reads it: every analysed frame
            faces_found, iods = 0, []
            while True:
                t0 = time.perf_counter()
                frame = source.read()
                if frame is None:
                    break
                t1 = time.perf_counter()
                faces = tracker.process(Frame(frame.image, frame.index * 42, frame.index))
                t2 = time.perf_counter()
                occlusion = occluder.update(frame.image, faces, frame.index * 42)
                t3 = time.perf_counter()
                light = store_light.update(frame.image, faces[0] if faces else None, frame.index * 42)
                t3l = time.perf_counter()
                out = render(frame.image, faces, look, occlusion=occlusion, light=light)
                t4 = time.perf_counter()
                cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 80])
                t5 = time.perf_counter()
                if occlusion is not None and frame.index >= 5:
                    hand_frames.append(len(stages["landmarks"]))
                warm = frame.index >= 5  # the first frames warm the models up
                for every, other in ((1, occluder_1st), (2, occluder_2nd)):
                    t6 = time.perf_counter()
                    other.update(frame.image, faces, frame.index * 42)
                    if warm:
                        other_rates[every].append((time.perf_counter() - t6) * 1000)
                if warm:
                    times = (t1 - t0, t2 - t1, t3 - t2, t3l - t3, t4 - t3l, t5 - t4)
                    for key, dt in zip(stages, times, strict=True):
                        stages[key].append(dt * 1000)
                faces_found += bool(faces)
                iods += [f.interocular for f in faces]
        source.close()
    print(
        f"1280×720, {len(stages['decode'])} frames of the demo clip, face found in {faces_found}, "
        f"median inter-ocular distance {np.median(iods):.0f} px (a shopper close to the screen), "
        f"a hand over the face in {len(hand_frames)}"
    )
    for key, samples in stages.items():
        report(key, samples, baseline_ms=stages["landmarks"])
    for every, samples in other_rates.items():
        label = "every frame" if every == 1 else "every 2nd frame"
        report(f"occlusion, hand landmarks {label}", samples, baseline_ms=stages["landmarks"])
    on_hands = [stages["occlusion (hands)"][i] for i in hand_frames]
    report("occlusion, frames with a hand only", on_hands, baseline_ms=stages["landmarks"])
    makeup = p50_p95(stages["makeup (5 layers)"])
    marks = p50_p95(stages["landmarks"])
    print(f"makeup / landmarks: p50 ×{makeup[0] / marks[0]:.2f}, p95 ×{makeup[1] / marks[1]:.2f}  (goal ≤ 1)")
    summed = np.add(stages["makeup (5 layers)"], stages["occlusion (hands)"])
    both = p50_p95(summed)
    # The mean is what the occluder costs over a clip: its landmarker runs on every 3rd frame
    # by design, so p95 is a landmarker frame, whatever the rate between them.
    print(
        f"(makeup + occlusion) / landmarks: p50 ×{both[0] / marks[0]:.2f}, p95 ×{both[1] / marks[1]:.2f}, "
        f"mean ×{np.mean(summed) / np.mean(stages['landmarks']):.2f}  (goal ≤ 1.5)"
    )
    for every, samples in other_rates.items():
        costly = p50_p95(np.add(stages["makeup (5 layers)"], samples))
        label = "every frame" if every == 1 else "every 2nd frame"
        print(
            f"  with hand landmarks {label}: p50 ×{costly[0] / marks[0]:.2f}, p95 ×{costly[1] / marks[1]:.2f}"
        )
    # The capture thread decodes in parallel with the pipeline loop, so the loop's rate is
    # set by the other three stages; the serial figure is the pessimistic bound.
    loop = sum(
        p50_p95(stages[k])[0]
        for k in ("landmarks", "occlusion (hands)", "store light", "makeup (5 layers)", "jpeg encode")
    )
    serial = loop + p50_p95(stages["decode"])[0]
    print(
        f"pipeline: {1000 / loop:.1f} fps with capture on its own thread, "
        f"{1000 / serial:.1f} fps fully serial (goal ≥ 30)"
    )

    face = read_image(ROOT / "tests" / "data" / "astronaut.jpg")
    q = measure_tracking(face)
    print(
        "landmark jitter on a still face (std, inter-ocular units): "
        f"raw {q.jitter_raw:.5f}, smoothed {q.jitter_smoothed:.5f} "
        f"(×{q.jitter_smoothed / q.jitter_raw:.2f}); "
        f"lag at {q.speed_iod_per_s:.1f} IOD/s: {q.lag_smoothed:.4f} IOD"
    )
    smoothing_tradeoff(face)
    j = video_jitter(str(CLIP))
    print(
        f"landmark jitter on {j.frames} near-static frames of the demo clip (|2nd difference|, IOD): "
        f"raw {j.raw:.4f}, smoothed {j.smoothed:.4f} (×{j.smoothed / j.raw:.2f})"
    )


# A quick head turn: the nose crosses about one inter-ocular distance in a quarter second.
QUICK_TURN_IOD_PER_S = 4.0
# (min cutoff Hz, beta), FaceTracker's own setting included once whatever its value.
ONE_EURO_SETTINGS = sorted(
    {(1.0, 0.0), (1.0, 2.0), (1.0, 8.0), (1.0, 20.0), (1.0, SMOOTHING_BETA), (3.0, 8.0)}
)


def smoothing_tradeoff(image: np.ndarray) -> None:
    """Jitter on a still face against lag behind a quick turn, for One-Euro settings.

    The raw landmarks of `image` played as a webcam video, still and then sliding sideways at
    QUICK_TURN_IOD_PER_S, are filtered offline exactly as FaceTracker filters them.
    """
    still, moving = 50, 15
    with FaceTracker(mode="image") as tracker:
        iod0 = tracker.process(Frame(image, 0, 0))[0].interocular
    step_px = QUICK_TURN_IOD_PER_S * iod0 * 0.033  # _landmark_runs plays 33 ms frames
    raw = _landmark_runs(image, False, still, moving, step_px, seed=1)
    if any(r is None for r in raw):
        raise ValueError("face lost during the measurement")
    iod = float(np.linalg.norm(raw[0][263] - raw[0][33]))
    print(
        f"One-Euro trade-off: jitter on a still face vs lag behind a quick turn ({QUICK_TURN_IOD_PER_S:.0f} "
        f"IOD/s), in IOD and in px at the demo's 720p inter-ocular distance (286 px)"
    )
    for min_cutoff, beta in [(None, None), *ONE_EURO_SETTINGS]:
        if min_cutoff is None:
            out, label = raw, "raw (no smoothing)"
        else:
            f = OneEuroFilter(min_cutoff, beta)
            out = [f(p, i * 33.0, float(np.linalg.norm(p[263] - p[33]))) for i, p in enumerate(raw)]
            label = f"min cutoff {min_cutoff:.0f} Hz, beta {beta:.0f}" + (
                " (FaceTracker's)" if (min_cutoff, beta) == (1.0, SMOOTHING_BETA) else ""
            )
        jitter = float(np.linalg.norm(np.stack(out[20:still]).std(axis=0), axis=1).mean() / iod)
        behind = [np.linalg.norm(out[i] - raw[i], axis=1).mean() for i in range(still + 3, still + moving)]
        lag = float(np.mean(behind) / iod)
        print(
            f"  {label:<40} jitter {jitter:.5f} ({jitter * 286:.2f} px)   lag {lag:.4f} ({lag * 286:.1f} px)"
        )


if __name__ == "__main__":
    main()
