"""Backend ingest under load: 50 concurrent simulated kiosks posting event batches to the real
`kiosk backend` (uvicorn, loopback) on SQLite and on PostgreSQL. Reports events/s and p50/p95
request latency, each as a ratio to the trivial /healthz endpoint of the same server, measured
with the same concurrency in the same run (the machines are shared; only ratios compare)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.stats import p50_p95, report
from kiosk.backend.process import start_backend_process

KIOSKS = 50
BATCHES_PER_KIOSK = 6
EVENTS_PER_BATCH = 25
HEALTH_PER_KIOSK = 10


def _batch() -> dict:
    session = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC).isoformat()
    return {
        "events": [
            {
                "event_id": str(uuid.uuid4()),
                "session_id": session,
                "seq": i,
                "at": now,
                "kind": "product_tried",
                "data": {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 1000 + i},
            }
            for i in range(EVENTS_PER_BATCH)
        ]
    }


async def _load(base: str, token: str, ingest: bool) -> tuple[list[float], float, int]:
    """All kiosks at once; returns per-request latencies (ms), the wall time (s) and how many
    requests failed (refused connections or non-2xx answers, reported rather than hidden)."""
    latencies: list[float] = []
    failed = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=KIOSKS, max_keepalive_connections=KIOSKS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def kiosk() -> None:
            nonlocal failed
            for _ in range(BATCHES_PER_KIOSK if ingest else HEALTH_PER_KIOSK):
                start = time.perf_counter()
                try:
                    if ingest:
                        r = await client.post(
                            "/api/v1/kiosk/events",
                            json=_batch(),
                            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                        )
                    else:
                        r = await client.get("/healthz")
                except httpx.TransportError:
                    failed += 1
                    continue
                latencies.append((time.perf_counter() - start) * 1000)
                failed += not r.is_success

        wall = time.perf_counter()
        await asyncio.gather(*(kiosk() for _ in range(KIOSKS)))
        return latencies, time.perf_counter() - wall, failed


def _run(label: str, database_url: str, data_dir: Path) -> None:
    from kiosk.backend.demo import seed_demo
    from kiosk.loopback import free_port

    seed = seed_demo(database_url, data_dir)
    port = free_port()
    proc = start_backend_process(database_url, data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_load(base, seed.kiosk_token, ingest=False))  # warm-up: connections, caches
        health, health_wall, health_failed = asyncio.run(_load(base, seed.kiosk_token, ingest=False))
        ingest, ingest_wall, ingest_failed = asyncio.run(_load(base, seed.kiosk_token, ingest=True))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    events = len(ingest) * EVENTS_PER_BATCH
    health_rps = len(health) / health_wall
    ingest_rps = len(ingest) / ingest_wall
    report(f"{label}: GET /healthz ({KIOSKS} concurrent)", health)
    report(f"{label}: POST events x{EVENTS_PER_BATCH} ({KIOSKS} concurrent)", ingest, baseline_ms=health)
    p95_ratio = p50_p95(ingest)[1] / p50_p95(health)[1]
    print(
        f"{label}: ingest {events / ingest_wall:,.0f} events/s ({ingest_rps:,.0f} batches/s) vs healthz "
        f"{health_rps:,.0f} req/s -> request-rate ratio x{ingest_rps / health_rps:.2f}, "
        f"p95 ratio x{p95_ratio:.2f}",
        flush=True,
    )
    if health_failed or ingest_failed:
        print(f"{label}: failed requests: healthz {health_failed}, ingest {ingest_failed}")


def main() -> None:
    from kiosk.backend.throwaway_pg import PostgresUnavailable, ThrowawayPostgres, create_database

    print(
        f"{KIOSKS} kiosks x {BATCHES_PER_KIOSK} batches x {EVENTS_PER_BATCH} events, "
        "uvicorn on loopback, 1 worker"
    )
    with tempfile.TemporaryDirectory(prefix="maraya-bench-") as tmp:
        root = Path(tmp)
        _run("sqlite", f"sqlite:///{root / 'bench.db'}", root / "data-sqlite")
        cluster = None
        try:
            server = os.environ.get("TEST_DATABASE_URL")
            if not server:
                cluster = ThrowawayPostgres()
                server = cluster.start()
            url = create_database(server, f"bench_{uuid.uuid4().hex[:10]}")
            _run("postgresql", url, root / "data-pg")
        except PostgresUnavailable as exc:
            print(f"postgresql: skipped ({exc})")
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
