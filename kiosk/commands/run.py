"""`kiosk run` (the kiosk process) and `kiosk demo` (backend + kiosk on the demo clip).

Both print the URL of the shopper's screen (loopback only) and the Chromium command line that
shows it full screen on the store's display (kiosk.app.chromium). The URL carries the kiosk's
per-launch secret (`?token=`, see kiosk/app/localguard.py): this launch message is the one
place it is ever printed, and the page opened from it is the only one the kiosk will serve.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def _source_args(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, metavar="N", help="webcam index (e.g. 0)")
    src.add_argument("--video", type=Path, metavar="FILE", help="a video file, looped")
    src.add_argument("--image", type=Path, metavar="FILE", help="a still image, repeated")
    parser.add_argument("--ui-port", type=int, help="local UI port (default 8700)")
    parser.add_argument("--lang", choices=("ar", "en"), help="default language (Arabic unless set)")
    parser.add_argument(
        "--idle-timeout", type=float, metavar="S", help="seconds without a touch before a session ends"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the kiosk: camera → try-on → local UI on 127.0.0.1",
        description="Run the kiosk process. Settings come from MARAYA_* variables and the TOML file in "
        "MARAYA_CONFIG (or --config); flags here override both.",
    )
    _source_args(run)
    run.add_argument(
        "--config", type=Path, help="TOML settings file (same keys as MARAYA_* without the prefix)"
    )
    run.add_argument("--backend-url", help="backend address (default http://127.0.0.1:8000)")
    run.add_argument("--no-mirror", action="store_true", help="do not flip the image left-right")
    run.set_defaults(func=run_kiosk)

    demo = subparsers.add_parser(
        "demo",
        help="start the backend (SQLite, demo catalogue) and the kiosk on the demo clip",
        description="Starts the backend on 127.0.0.1:8000 with a seeded SQLite file under var/demo, then the "
        "kiosk on assets/demo/shopper.mp4 (or --camera N, or the CAMERA variable), and prints the URLs.",
    )
    _source_args(demo)
    demo.add_argument("--backend-port", type=int, default=8000)
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    demo.add_argument(
        "--furniture",
        action="store_true",
        help="furniture mode, on a showroom still with its floor calibration instead of the clip",
    )
    demo.set_defaults(func=run_demo)


def settings_overrides(args: argparse.Namespace) -> dict:
    """CLI flags → KioskSettings keyword arguments (only the flags that were given)."""
    out: dict = {}
    if args.camera is not None:
        out["source"] = str(args.camera)
    elif args.video is not None:
        out["source"] = str(args.video)
    elif args.image is not None:
        out["source"] = str(args.image)
    if args.ui_port is not None:
        out["ui_port"] = args.ui_port
    if args.lang is not None:
        out["language"] = args.lang
    if args.idle_timeout is not None:
        out["idle_timeout_s"] = args.idle_timeout
    if getattr(args, "backend_url", None):
        out["backend_url"] = args.backend_url
    if getattr(args, "no_mirror", False):
        out["mirror"] = False
    return out


def _check_source(source: str) -> str | None:
    if source.isdigit() or Path(source).exists():
        return None
    return f"kiosk: input not found: {source}"


def run_kiosk(args: argparse.Namespace) -> int:
    from kiosk.app.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread starts
    from kiosk.app.chromium import kiosk_command
    from kiosk.app.runtime import KioskRuntime
    from kiosk.app.settings import KioskSettings

    if args.config is not None:
        os.environ["MARAYA_CONFIG"] = str(args.config)
    settings = KioskSettings(**settings_overrides(args))
    if error := _check_source(settings.source):
        print(error)
        return 2
    runtime = KioskRuntime(settings).start()
    url = settings.ui_launch_url
    print(
        f"Maraya kiosk UI: {url}  (source: {settings.source})\nOn the store's screen: {kiosk_command(url)}",
        flush=True,
    )
    try:
        runtime.serve_forever()
    finally:
        runtime.stop()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from kiosk.app.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread starts
    from kiosk.app.chromium import kiosk_command
    from kiosk.app.demo import start_demo_backend, write_demo_showroom
    from kiosk.app.runtime import KioskRuntime
    from kiosk.app.settings import DEMO_CLIP, KioskSettings

    overrides = settings_overrides(args)
    if args.furniture:
        image, calibration = write_demo_showroom(args.data_dir / "showroom")
        overrides["source"] = str(image)
        overrides["floor_calibration"] = calibration
    elif "source" not in overrides:
        camera = os.environ.get("CAMERA", "").strip()
        overrides["source"] = camera if camera else str(DEMO_CLIP)
    backend = start_demo_backend(args.data_dir, args.backend_port)
    settings = KioskSettings(
        backend_url=backend.url,
        kiosk_token=backend.kiosk_token,
        data_dir=args.data_dir / "kiosk",
        **overrides,
    )
    runtime = KioskRuntime(settings).start()
    url = settings.ui_launch_url
    print(
        "\nMaraya demo is running.\n"
        f"  Kiosk (shopper screen):  {url}\n"
        f"    full screen: {kiosk_command(url)}\n"
        f"  Staff admin:             {backend.url}/admin\n"
        f"    sign in as {backend.admin_user} / {backend.admin_password}\n"
        f"  Source:                  {settings.source}\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    try:
        runtime.serve_forever()
    finally:
        runtime.stop()
        backend.stop()
    return 0
