"""Per-kiosk token buckets on the kiosk API: a flood from one token gets 429 + Retry-After
while another kiosk of the same store is unaffected. (Generous defaults are checked by the
backend bench, which sends 50 kiosks' traffic on one token without a single 429.)"""

from __future__ import annotations

import uuid

import pytest

from kiosk.backend.ratelimit import Buckets, Rate

HEARTBEAT = {"software_version": "1.0", "model_version": "", "fps": 30, "camera_state": "ok", "uptime_s": 5}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate():
    clock = Clock()
    buckets = Buckets(Rate(per_s=2.0, burst=3), clock=clock)
    assert [buckets.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k") == pytest.approx(0.5)
    assert buckets.take("other") == 0.0  # keys do not share a bucket
    clock.now += 0.5
    assert buckets.take("k") == 0.0
    assert buckets.take("k") > 0


def test_forgotten_keys_keep_memory_bounded():
    buckets = Buckets(Rate(per_s=1.0, burst=1), max_keys=10, clock=Clock())
    for i in range(100):
        buckets.take(f"address-{i}")
    assert len(buckets._buckets) == 10


@pytest.mark.parametrize("route", ["heartbeat", "events"])
def test_one_kiosk_flooding_gets_429_with_retry_after(backend_factory, route):
    b = backend_factory("sqlite", kiosk_burst=4, kiosk_rate_per_s=0.01)
    with b.client:

        def call(headers):
            if route == "heartbeat":
                return b.client.post("/api/v1/kiosk/heartbeat", json=HEARTBEAT, headers=headers)
            return b.client.post(
                "/api/v1/kiosk/events",
                json={"events": []},  # a 422, but only after the bucket was charged
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )

        answers = [call(b.kiosk_headers) for _ in range(6)]
        assert all(r.status_code != 429 for r in answers[:4])
        assert [r.status_code for r in answers[4:]] == [429, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1

        csrf = b.sign_in()
        other = b.client.post(
            "/api/v1/stores/riyadh-01/kiosks", json={"name": "second"}, headers={"X-CSRF-Token": csrf}
        )
        assert call({"Authorization": f"Bearer {other.json()['token']}"}).status_code != 429
        # An unknown token is refused as such, not counted against anyone.
        assert call({"Authorization": "Bearer nope"}).status_code == 401
