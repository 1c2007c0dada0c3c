"""Debian's Chromium, the one browser Maraya uses: in kiosk mode on the store's screen, and
headless for the end-to-end tests and benchmarks (never a downloaded browser)."""

from __future__ import annotations

import shlex

CHROMIUM = "/usr/bin/chromium"

# The store's screen: full screen, no error dialogs or pinch/swipe gestures a shopper could
# get lost in.
KIOSK_ARGS = (
    "--kiosk",
    "--noerrdialogs",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--autoplay-policy=no-user-gesture-required",
)

# Headless runs: no sandbox (CI runs as root), no GPU, and nothing that reaches the network.
HEADLESS_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def kiosk_command(url: str) -> str:
    """The command line that shows the kiosk UI on the store's screen (the URL quoted: the
    launch URL carries `?token=`, which a shell would otherwise glob)."""
    return " ".join((CHROMIUM, *KIOSK_ARGS, shlex.quote(url)))
