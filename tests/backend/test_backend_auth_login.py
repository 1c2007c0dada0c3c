"""Sign-in throttling: concurrent bursts against the real server cannot outrun the failure
budget, the answers never tell which accounts exist, and successes cost no budget."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from kiosk.backend.auth.models import LoginThrottle
from kiosk.backend.auth.service import create_user
from kiosk.backend.db import make_engine, make_sessionmaker, session_scope, utcnow
from kiosk.backend.process import start_backend_process
from kiosk.loopback import free_port

LOGIN = "/api/v1/auth/login"


def burst(base: str, bodies: list[dict]) -> list[int]:
    """Sends every body at once (one thread each, released together) and returns the statuses."""
    gate = threading.Barrier(len(bodies))

    def one(body: dict) -> int:
        with httpx.Client(base_url=base, timeout=60) as client:
            gate.wait()
            return client.post(LOGIN, json=body).status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def account_failures(database_url: str, email: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            row = db.scalar(select(LoginThrottle).where(LoginThrottle.key == f"account:{email}"))
            return row.failures if row else 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_concurrent_burst_cannot_outrun_the_lockout(seeded_database):
    db = seeded_database
    email, password = db.seed.admin_email, db.seed.admin_password
    engine = make_engine(db.database_url)
    with session_scope(make_sessionmaker(engine)) as s:
        create_user(s, "mixed@x.sa", "right-password-1", "staff", ["riyadh-01"], None)
    engine.dispose()
    port = free_port()
    proc = start_backend_process(db.database_url, db.data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # Wrong and right passwords mixed in one burst: never more than 5 wrong ones get checked.
        mixed = [
            {"email": "mixed@x.sa", "password": "wrong-password" if i % 2 else "right-password-1"}
            for i in range(30)
        ]
        statuses = burst(base, mixed)
        counts = Counter(statuses)
        assert set(counts) <= {200, 401, 429} and counts[401] <= 5, counts

        # 40 wrong passwords at once: exactly the budget is checked, the rest is refused unchecked,
        # and the account stays locked, so the right password no longer gets in.
        counts = Counter(burst(base, [{"email": email, "password": "wrong-password"}] * 40))
        assert counts == {401: 5, 429: 35}, counts
        assert account_failures(db.database_url, email) >= 5
        right = burst(base, [{"email": email, "password": password}] * 10)
        assert right == [429] * 10
        r = httpx.post(base + LOGIN, json={"email": email, "password": password}, timeout=60)
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 15 * 60
    finally:
        proc.kill()
        proc.wait()


def _answer(client, email: str, password: str) -> tuple[int, str, bool]:
    r = client.post(LOGIN, json={"email": email, "password": password})
    return r.status_code, r.text, "retry-after" in r.headers


def test_unknown_wrong_locked_and_deactivated_accounts_answer_alike(backend):
    c = backend.client
    h = {"X-CSRF-Token": backend.sign_in()}
    body = {
        "email": "gone@x.sa",
        "password": "long-enough-password",
        "role": "staff",
        "stores": ["riyadh-01"],
    }
    gone = c.post("/api/v1/users", json=body, headers=h).json()
    assert c.post(f"/api/v1/users/{gone['id']}/deactivate", headers=h).status_code == 200

    wrong = _answer(c, backend.seed.admin_email, "wrong-password")
    assert wrong[0] == 401
    assert _answer(c, "nobody@x.sa", "wrong-password") == wrong
    assert _answer(c, "gone@x.sa", "long-enough-password") == wrong  # deactivated, right password
    for _ in range(4):
        _answer(c, backend.seed.admin_email, "wrong-password")
        _answer(c, "nobody@x.sa", "wrong-password")
    locked = _answer(c, backend.seed.admin_email, backend.seed.admin_password)
    assert locked[0] == 429 and locked[2]
    assert _answer(c, "nobody@x.sa", "wrong-password") == locked


def test_successes_cost_no_budget_and_one_address_is_throttled_across_accounts(backend_factory):
    b = backend_factory("sqlite", login_rate_per_minute=3)
    with b.client as c:
        for _ in range(10):  # a store's staff behind one NAT, signing in all day
            b.sign_in()
        for i in range(3):
            assert c.post(LOGIN, json={"email": f"guess{i}@x.sa", "password": "p"}).status_code == 401
        r = c.post(LOGIN, json={"email": b.seed.admin_email, "password": b.seed.admin_password})
        assert r.status_code == 429 and int(r.headers["retry-after"]) <= 60


def test_the_sign_in_page_says_when_to_retry(backend_factory):
    b = backend_factory("sqlite", login_max_failures=1)
    with b.client as c:
        form = {"email": b.seed.admin_email, "password": "wrong-password"}
        assert c.post("/admin/login", data=form).status_code == 401
        r = c.post("/admin/login?lang=en", data=form)
        assert r.status_code == 429 and "Too many sign-in attempts" in r.text and r.headers["retry-after"]


def test_run_out_budgets_are_purged(backend):
    old = utcnow() - dt.timedelta(hours=1)
    with backend.client.app.state.sessionmaker() as db:
        db.add(LoginThrottle(key="account:long-gone@x.sa", failures=5, window_start=old))
        db.commit()
    assert _answer(backend.client, "someone@x.sa", "wrong-password")[0] == 401
    with backend.client.app.state.sessionmaker() as db:
        keys = set(db.scalars(select(LoginThrottle.key)))
    assert "account:long-gone@x.sa" not in keys and "account:someone@x.sa" in keys
