"""How the kiosk paces its talk with the backend: one typed bundle from the composition root
(kiosk/app/runtime.py) through `SyncLink` to the client and the sync thread. The defaults are a
store's; tests and simulations shorten them."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from kiosk.sync.backoff import Backoff


@dataclass(frozen=True)
class SyncOptions:
    timeout_s: float = 10.0  # one HTTP call to the backend
    transport: httpx.BaseTransport | None = None  # None: plain HTTP; tests record or break calls here
    batch_size: int = 200  # events per POST
    heartbeat_s: float = 30.0  # until the backend's own setting arrives
    pull_s: float = 300.0  # catalogue, FAQ and model checks
    idle_poll_s: float = 1.0  # the sync thread's nap when there is nothing to send
    linger_s: float = 0.2  # wait this long after a wake-up so one batch carries a burst
    backoff: Backoff = field(default_factory=Backoff)  # one per link: it counts that link's failures
