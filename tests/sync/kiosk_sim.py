"""A kiosk process for the SIGKILL test: records simulated sessions into its outbox while its
sync thread sends them, and prints `recorded <event_id>` once each record() has returned (that
is, once the event is committed). After the last session it waits for the backlog to drain and
prints `drained`.

usage: python tests/sync/kiosk_sim.py DATA_DIR BACKEND_URL TOKEN SESSIONS SEED
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from syncsim import heartbeat_info, simulate_session

from kiosk.sync.backoff import Backoff
from kiosk.sync.link import SyncLink
from kiosk.sync.options import SyncOptions


def main(data_dir: str, url: str, token: str, sessions: str, seed: str) -> int:
    link = SyncLink(
        Path(data_dir),
        url,
        token,
        heartbeat_info,
        options=SyncOptions(
            idle_poll_s=0.05,
            batch_size=50,
            backoff=Backoff(base_s=0.05, cap_s=0.5, rng=random.Random(int(seed))),
        ),
    )
    link.start()

    def record(sid, data):
        event = link.record(sid, data)
        # One write per line, so a kill cannot leave half a report in the pipe.
        sys.stdout.write(f"recorded {event.event_id}\n")
        sys.stdout.flush()

    rng = random.Random(int(seed))
    for _ in range(int(sessions)):
        simulate_session(record, rng)
    deadline = time.monotonic() + 60
    while link.status().backlog and time.monotonic() < deadline:
        time.sleep(0.05)
    print("drained" if link.status().backlog == 0 else "backlog left", flush=True)
    link.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
