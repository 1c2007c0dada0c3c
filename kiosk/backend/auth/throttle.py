"""Sign-in failure budgets kept in the database, so every app worker shares them.

One row per key ("account:<e-mail>" or "address:<client address>") counts the failures in a
fixed window. An attempt takes one unit of every budget it touches with a single atomic
`INSERT … ON CONFLICT DO UPDATE … RETURNING` before the password is checked; a success, or an
attempt refused unchecked, gives its unit back. So concurrent attempts cannot all read the same
old count (the race that let a burst past the old read-then-write lockout), and successes never
eat the budget.

Accounts are keyed by the e-mail as typed, whether or not such a user exists: an unknown
address is throttled exactly like a real one, so the answers do not reveal which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from kiosk.backend.auth.models import LoginThrottle


@dataclass(frozen=True)
class Budget:
    key: str
    limit: int  # attempts allowed per window
    window: dt.timedelta


@dataclass(frozen=True)
class Taken:
    """One unit taken from a budget: `allowed` is False once the window's budget is spent."""

    budget: Budget
    count: int
    window_start: dt.datetime

    @property
    def allowed(self) -> bool:
        return self.count <= self.budget.limit

    def retry_after_s(self, now: dt.datetime) -> int:
        return max(1, math.ceil((self.window_start + self.budget.window - now).total_seconds()))


def _insert(db: Session):
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(LoginThrottle)


def take(db: Session, budget: Budget, now: dt.datetime) -> Taken:
    """Counts one attempt against the budget in one statement (a window that has run out
    starts again at 1). The caller commits, which releases the row for the next attempt."""
    fresh = LoginThrottle.window_start <= now - budget.window
    stmt = _insert(db).values(key=budget.key, failures=1, window_start=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case((fresh, 1), else_=LoginThrottle.failures + 1),
            "window_start": case((fresh, now), else_=LoginThrottle.window_start),
        },
    ).returning(LoginThrottle.failures, LoginThrottle.window_start)
    count, window_start = db.execute(stmt).one()
    return Taken(budget, count, window_start)


def give_back(db: Session, taken: Taken) -> None:
    """Returns the unit of an attempt that succeeded (only within the window it was taken in)."""
    db.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == taken.budget.key,
            LoginThrottle.window_start == taken.window_start,
            LoginThrottle.failures > 0,
        )
        .values(failures=LoginThrottle.failures - 1)
    )


def purge(db: Session, now: dt.datetime, longest_window: dt.timedelta) -> None:
    """Drops rows whose window has run out (they would restart at 1 anyway). Rows another sign-in
    holds are skipped (PostgreSQL's SKIP LOCKED), so the purge never waits on, or deadlocks with,
    a concurrent attempt; the next purge takes them."""
    expired = (
        select(LoginThrottle.key)
        .where(LoginThrottle.window_start <= now - longest_window)
        .with_for_update(skip_locked=True)
    )
    db.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(expired)))
