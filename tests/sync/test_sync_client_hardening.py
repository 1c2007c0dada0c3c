"""The sync client honours 429 + Retry-After (against a real HTTP server on loopback: the call
is not sent again before the backend said it may be), and erases a shopper session on the real
backend."""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid

import pytest
from faultserver import FaultServer

from kiosk.sync.client import BackendClient, Unavailable, retry_after_seconds

HEARTBEAT_PATH = "/api/v1/kiosk/heartbeat"
HEALTHY = (
    b'{"server_time": "2026-01-01T00:00:00Z", "catalogue_version": 1, "model_version": null, "settings": {}}'
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def beat(client: BackendClient) -> dict:
    from kiosk.sync.client import HeartbeatInfo

    return client.heartbeat(HeartbeatInfo("1.0", "", 30.0, "ok", 5.0))


def test_a_429_holds_that_call_back_for_retry_after_seconds():
    clock = Clock()
    with FaultServer() as server:
        client = BackendClient(server.url, "t", clock=clock)
        server.routes[HEARTBEAT_PATH] = (429, {"Retry-After": "7"}, b'{"detail": "too many requests"}')
        with pytest.raises(Unavailable) as first:
            beat(client)
        assert first.value.status == 429 and first.value.retry_after_s == 7
        server.routes[HEARTBEAT_PATH] = (200, {}, HEALTHY)
        clock.now += 6.5
        with pytest.raises(Unavailable) as held:
            beat(client)  # refused here: the server does not see it
        assert held.value.retry_after_s == pytest.approx(0.5)
        assert server.hits.count(f"POST {HEARTBEAT_PATH}") == 1
        # Other calls are not held back by one route's 429.
        server.routes["/api/v1/kiosk/help-requests/1"] = (200, {}, b'{"id": 1, "status": "open"}')
        assert client.help_request(1).status == "open"
        clock.now += 0.5
        assert beat(client)["catalogue_version"] == 1
        assert server.hits.count(f"POST {HEARTBEAT_PATH}") == 2
        client.close()


def test_a_429_without_a_usable_retry_after_still_pauses_the_call():
    clock = Clock()
    with FaultServer() as server:
        client = BackendClient(server.url, "t", clock=clock)
        server.routes[HEARTBEAT_PATH] = (429, {"Retry-After": "soon"}, b"{}")
        with pytest.raises(Unavailable) as first:
            beat(client)
        assert first.value.retry_after_s == 1.0
        with pytest.raises(Unavailable):
            beat(client)
        assert server.hits.count(f"POST {HEARTBEAT_PATH}") == 1
        client.close()


def test_retry_after_header_forms():
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    later = email.utils.format_datetime(now + dt.timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds("120", now.timestamp()) == 120
    assert retry_after_seconds(later, now.timestamp()) == pytest.approx(90)
    assert retry_after_seconds("99999999", now.timestamp()) == 3600  # bounded
    assert retry_after_seconds("-3", now.timestamp()) is None
    assert retry_after_seconds(None, now.timestamp()) is None


def test_erase_session_on_the_real_backend(live_backend):
    client = BackendClient(live_backend.url, live_backend.token)
    session = str(uuid.uuid4())
    ticket = client.create_help_request(session, "shopper")
    assert ticket.status == "open"
    assert client.erase_session(session) == 1
    assert client.erase_session(session) == 0  # idempotent: a retry after a lost answer is harmless
    with pytest.raises(ValueError):
        client.erase_session("not-a-session")
    client.close()
