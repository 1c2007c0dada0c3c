"""Soak run: the kiosk process on the demo clip for N minutes under scripted shopper sessions.

    python -m kiosk.app.soak --minutes 20

Starts a seeded demo backend (in this process) and `kiosk run` as a child process, drives
sessions through a real WebSocket client (consent or decline, shades, intensity, presets,
before/after, basket, handoff, help, language, idle timeout; the client reconnects between
sessions like a reloaded page), and samples the kiosk's resident memory, threads and open
file descriptors from /proc every few seconds. After a warm-up it prints the growth of each,
the frame rate the client received, and whether the pipeline ever stalled.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from catalogue import DEMO_CATALOGUE, load_catalogue
from kiosk.app.demo import start_demo_backend
from kiosk.app.localguard import auth_header
from kiosk.app.settings import DEMO_CLIP, REPO_ROOT
from kiosk.app.uiclient import UIClient
from kiosk.loopback import NotHealthy, free_port, wait_healthy

SHADES = [
    "SAH-LIP-01",
    "SAH-LIP-05",
    "LUM-GLS-03",
    "SAH-BLU-02",
    "SAH-EYE-02",
    "SAH-LIN-01",
    "LUM-HIL-02",
    "SAH-FND-20N",
]
PRESETS = ["everyday", "office", "evening", "bridal"]
_DEMO = load_catalogue(DEMO_CATALOGUE)  # what the soaked kiosk sells: the kind of each of SHADES
STALL_S = 2.0  # no new frame for this long while the clip plays = a stall
POLL_S = 0.25  # how often the sampler checks the pipeline's progress


@dataclass(frozen=True)
class Sample:
    t_s: float
    rss_mb: float
    threads: int
    fds: int
    frames_out: int


def proc_sample(pid: int, t_s: float, frames_out: int) -> Sample:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return Sample(
        t_s=t_s,
        rss_mb=int(fields["VmRSS"].split()[0]) / 1024,
        threads=int(fields["Threads"]),
        fds=len(os.listdir(f"/proc/{pid}/fd")),
        frames_out=frames_out,
    )


def session(client: UIClient, rng: random.Random, idle_s: float) -> str:
    """One scripted shopper; returns how the session ended."""
    client.send({"cmd": "start"})
    client.wait_for(lambda s: s["phase"] == "consent")
    if rng.random() < 0.15:
        client.send({"cmd": "consent", "accept": False})
        client.wait_for(lambda s: s["phase"] == "mirror")
        time.sleep(3)
        client.send({"cmd": "end"})
        return "declined"
    client.send({"cmd": "consent", "accept": True, "share_tone": rng.random() < 0.5})
    client.wait_for(lambda s: s["phase"] == "makeup")
    if rng.random() < 0.3:
        client.send({"cmd": "lang", "lang": "en"})
    for sku in rng.sample(SHADES, 4):
        client.send({"cmd": "select", "sku": sku})
        time.sleep(rng.uniform(0.5, 2.0))
        client.send({"cmd": "intensity", "kind": _kind(sku), "value": round(rng.uniform(0.3, 1.0), 2)})
        if rng.random() < 0.5:
            client.send({"cmd": "basket_add", "sku": sku})
    client.send({"cmd": "preset", "id": rng.choice(PRESETS)})
    client.send({"cmd": "split", "x": 0.5})
    time.sleep(1.5)
    client.send({"cmd": "split", "x": None})
    if rng.random() < 0.2:
        client.send({"cmd": "help"})
    if rng.random() < 0.2:  # walk off without finishing: the idle timeout ends it
        client.wait_for(lambda s: s["phase"] == "attract", timeout_s=idle_s + 10)
        return "idle"
    client.send({"cmd": "summary"})
    client.wait_for(lambda s: s["phase"] == "summary")
    client.send({"cmd": "handoff", "include_photo": rng.random() < 0.3})
    client.wait_for(lambda s: s["session"] is None or s["session"]["handoff"] is not None, timeout_s=15)
    time.sleep(1.0)
    client.send({"cmd": "end"})
    return "done"


def _kind(sku: str) -> str:
    return _DEMO.shade(sku)[0].kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.app.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--warmup-minutes", type=float, help="default: a fifth of the run, at most 3")
    parser.add_argument("--sample-s", type=float, default=5.0)
    parser.add_argument("--idle-timeout", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    warmup_s = 60 * (args.warmup_minutes if args.warmup_minutes is not None else min(3.0, args.minutes / 5))
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="maraya-soak-") as tmp:
        backend = start_demo_backend(Path(tmp), port=free_port())
        ui_port = free_port()
        token = secrets.token_urlsafe(32)  # the soak's script plays the page, so it needs the secret
        env = {
            **os.environ,
            "MARAYA_BACKEND_URL": backend.url,
            "MARAYA_KIOSK_TOKEN": backend.kiosk_token,
            "MARAYA_DATA_DIR": str(Path(tmp) / "kiosk"),
            "MARAYA_IDLE_TIMEOUT_S": str(args.idle_timeout),
            "MARAYA_UI_TOKEN": token,
        }
        log_path = Path(tmp) / "kiosk.log"
        with log_path.open("w") as log:
            kiosk = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kiosk.cli",
                    "run",
                    "--video",
                    str(DEMO_CLIP),
                    "--ui-port",
                    str(ui_port),
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{ui_port}"
        try:
            return _run(kiosk, url, token, args, warmup_s, rng)
        finally:
            kiosk.terminate()
            kiosk.wait(timeout=20)
            backend.stop()


class Sampler(threading.Thread):
    """Samples the kiosk process on a steady clock, independent of the scripted sessions."""

    def __init__(self, pid: int, url: str, token: str, sample_s: float) -> None:
        super().__init__(name="soak-sampler", daemon=True)
        self.pid, self.url, self.token, self.sample_s = pid, url, token, sample_s
        self.samples: list[Sample] = []
        self.stalls = 0
        self.longest_gap_s = 0.0
        self._halt = threading.Event()
        self.start_s = time.monotonic()

    def run(self) -> None:
        with httpx.Client(timeout=5, headers=auth_header(self.token)) as http:
            last_out, last_progress, next_sample = -1, time.monotonic(), time.monotonic()
            stalled = False
            while not self._halt.wait(POLL_S):
                now = time.monotonic()
                try:
                    frames_out = http.get(self.url + "/api/stats").json()["frames_out"]
                except httpx.HTTPError:
                    continue
                if frames_out > last_out:
                    last_out, last_progress, stalled = frames_out, now, False
                else:
                    gap = now - last_progress
                    self.longest_gap_s = max(self.longest_gap_s, gap)
                    if gap > STALL_S and not stalled:
                        stalled = True
                        self.stalls += 1
                if now >= next_sample:
                    sample = proc_sample(self.pid, now - self.start_s, frames_out)
                    self.samples.append(sample)
                    next_sample = now + self.sample_s
                    if len(self.samples) % max(1, round(60 / self.sample_s)) == 1:  # a line a minute
                        print(
                            f"  t={sample.t_s / 60:5.1f} min  rss {sample.rss_mb:7.1f} MB  "
                            f"threads {sample.threads}  fds {sample.fds}  frames {sample.frames_out}",
                            flush=True,
                        )

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


def _run(kiosk: subprocess.Popen, url: str, token: str, args, warmup_s: float, rng: random.Random) -> int:
    try:
        wait_healthy(url, 60, alive=lambda: kiosk.poll() is None)
    except NotHealthy as exc:
        print(f"the kiosk did not start: {exc}", file=sys.stderr)
        return 1

    sampler = Sampler(kiosk.pid, url, token, args.sample_s)
    sampler.start()
    end = time.monotonic() + args.minutes * 60
    outcomes: dict[str, int] = {}
    frames_received = 0
    while time.monotonic() < end:
        client = UIClient(url, token)  # a fresh connection per shopper, like a reloaded page
        try:
            client.wait_for(lambda s: s["phase"] == "attract", timeout_s=args.idle_timeout + 20)
            outcome = session(client, rng, args.idle_timeout)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        except TimeoutError as exc:
            outcomes["stuck"] = outcomes.get("stuck", 0) + 1
            print(f"session stuck: {exc}", file=sys.stderr)
        finally:
            frames_received += client.frames
            client.close()
        if kiosk.poll() is not None:
            print(f"the kiosk exited with {kiosk.returncode}", file=sys.stderr)
            return 1
    sampler.stop()

    samples = sampler.samples
    elapsed = samples[-1].t_s
    steady = [s for s in samples if s.t_s >= warmup_s] or samples[-1:]
    first, last = steady[0], steady[-1]
    peak = max(s.rss_mb for s in steady)
    fps = (last.frames_out - samples[0].frames_out) / max(1e-9, last.t_s - samples[0].t_s)
    print(
        f"soak: {elapsed / 60:.1f} min, {sum(outcomes.values())} sessions {outcomes}, {len(samples)} samples"
    )
    print(f"  RSS after warm-up ({warmup_s / 60:.1f} min): {first.rss_mb:.1f} MB → {last.rss_mb:.1f} MB "
          f"({100 * (last.rss_mb - first.rss_mb) / first.rss_mb:+.1f}%), peak {peak:.1f} MB")  # fmt: skip
    print(f"  threads: {first.threads} → {last.threads} (min {min(s.threads for s in steady)}, "
          f"max {max(s.threads for s in steady)})")  # fmt: skip
    print(f"  fds:     {first.fds} → {last.fds} (max {max(s.fds for s in steady)})")
    print(f"  pipeline: {fps:.1f} frames/s out; {sampler.stalls} stalls (> {STALL_S:.0f} s without a frame), "
          f"longest gap {sampler.longest_gap_s:.2f} s; received {frames_received} frames")  # fmt: skip
    print(
        "  RSS by minute: " + " ".join(f"{s.rss_mb:.0f}" for s in samples[:: max(1, int(60 / args.sample_s))])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
