"""The one `kiosk` command. Each subcommand lives in its own module under kiosk/commands/
and registers itself with `register(subparsers)`; heavy imports (MediaPipe, Open3D,
onnxruntime) happen inside the handlers so `kiosk --help` stays instant."""

from __future__ import annotations

import argparse
import importlib
import sys

# One line per subcommand module; each defines register(subparsers) -> None.
COMMAND_MODULES = (
    "kiosk.commands.tryon",
    "kiosk.commands.ask",
    "kiosk.commands.backend",
    "kiosk.commands.calibrate",
    "kiosk.commands.furniture",
    "kiosk.commands.recommend",
    "kiosk.commands.run",
    "kiosk.commands.skin",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Maraya — in-store AR try-on and assistant kiosk (مرايا)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
