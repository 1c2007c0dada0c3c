"""Passwords (argon2id), staff sessions, sign-in throttling, and the offboarding of staff."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from kiosk.backend import audit
from kiosk.backend.auth import throttle
from kiosk.backend.auth.models import ROLES, LoginAttempt, StaffSession, User
from kiosk.backend.auth.throttle import Budget
from kiosk.backend.db import unit_of_work, utcnow
from kiosk.backend.settings import BackendSettings
from kiosk.backend.stores.models import Store

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("maraya-timing-equaliser")
MIN_PASSWORD_LENGTH = 10


WRONG_LOGIN = "wrong e-mail or password"
TOO_MANY = "too many sign-in attempts; try again later"


class AuthError(Exception):
    def __init__(self, status: int, message: str, retry_after_s: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SignIn:
    user: User
    cookie_value: str
    csrf_token: str


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _stores(db: Session, store_ids: list[str]) -> list[Store]:
    stores = list(db.scalars(select(Store).where(Store.id.in_(store_ids)))) if store_ids else []
    missing = set(store_ids) - {s.id for s in stores}
    if missing:
        raise ValueError(f"unknown store(s): {', '.join(sorted(missing))}")
    return stores


def create_user(
    db: Session, email: str, password: str, role: str, store_ids: list[str], actor_id: int | None
) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    email = email.strip().lower()
    with unit_of_work(db):
        if user_by_email(db, email) is not None:
            raise ValueError(f"a user {email} already exists")
        stores = _stores(db, store_ids)
        user = User(email=email, password_hash=hash_password(password), role=role, stores=stores)
        db.add(user)
        try:
            db.flush()
        except IntegrityError:  # the same e-mail created concurrently: the unique key decides
            raise ValueError(f"a user {email} already exists") from None
        audit.record(db, actor_id, "user.create", f"user:{user.id}", email=email, role=role, stores=store_ids)
    return user


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def user_by_email(db: Session, email: str) -> User | None:
    """`email` as stored: trimmed and lower-cased."""
    return db.scalar(select(User).where(User.email == email))


def list_users(db: Session, order_by: InstrumentedAttribute = User.id) -> list[User]:
    """Every staff account (by id for the API, by e-mail on the admin's page)."""
    return list(db.scalars(select(User).order_by(order_by)))


def login_budgets(settings: BackendSettings, email: str, address: str) -> tuple[Budget, Budget]:
    """The account's budget (soft lockout) and the client address's (one script trying many
    accounts). Both count failures only: a store full of staff behind one NAT signing in is fine."""
    return (
        Budget(
            f"account:{email}",
            settings.login_max_failures,
            dt.timedelta(minutes=settings.login_lockout_minutes),
        ),
        Budget(f"address:{address}", settings.login_rate_per_minute, dt.timedelta(minutes=1)),
    )


def sign_in(db: Session, settings: BackendSettings, email: str, password: str, address: str) -> SignIn:
    """Takes one unit of the account's and the address's failure budgets (atomically, and
    committed before the slow password check, so a concurrent burst cannot outrun them), then
    checks the password and gives the units back if it was right.

    Raises AuthError: 429 (with retry_after_s) once a budget is spent, 401 otherwise. The answers
    never depend on whether the account exists, is locked or is deactivated."""
    now = utcnow()
    email = email.strip().lower()
    with unit_of_work(db):  # the budgets are taken before the slow check, in their own commit
        taken = [throttle.take(db, budget, now) for budget in login_budgets(settings, email, address)]
    if not all(t.allowed for t in taken):
        with unit_of_work(db):
            for t in taken:  # nothing was checked, so this attempt costs nothing more
                throttle.give_back(db, t)
        raise AuthError(429, TOO_MANY, max(t.retry_after_s(now) for t in taken if not t.allowed))
    user = user_by_email(db, email)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    with unit_of_work(db):
        db.add(LoginAttempt(address=address, email=email, success=ok, at=now))
        throttle.purge(db, now, max(t.budget.window for t in taken))  # only after a check: floods stay cheap
        if ok:
            for t in taken:
                throttle.give_back(db, t)
            signed = _open_session(db, settings, user, password, now)
        elif user is not None and taken[0].count == taken[0].budget.limit:  # the account budget ran out
            audit.record(db, None, "user.locked", f"user:{user.id}", address=address)
    if not ok:
        raise AuthError(401, WRONG_LOGIN)
    return signed


def _open_session(
    db: Session, settings: BackendSettings, user: User, password: str, now: dt.datetime
) -> SignIn:
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    cookie_value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        StaffSession(
            token_hash=sha256_hex(cookie_value),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=now + dt.timedelta(hours=settings.session_ttl_hours),
        )
    )
    end_expired_sessions(db, now)
    return SignIn(user=user, cookie_value=cookie_value, csrf_token=csrf)


def session_for_cookie(db: Session, cookie_value: str | None) -> StaffSession | None:
    if not cookie_value:
        return None
    found = db.get(StaffSession, sha256_hex(cookie_value))
    if found is None or found.expires_at < utcnow() or not found.user.is_active:
        return None
    return found


def sign_out(db: Session, cookie_value: str | None) -> None:
    if cookie_value:
        with unit_of_work(db):
            db.execute(delete(StaffSession).where(StaffSession.token_hash == sha256_hex(cookie_value)))


def end_expired_sessions(db: Session, now: dt.datetime) -> None:
    """In the caller's unit: at each sign-in and at each purge."""
    db.execute(delete(StaffSession).where(StaffSession.expires_at < now))


def end_sessions(db: Session, user: User) -> int:
    """Deletes every session of the user: their next request (and any open help-queue stream,
    which re-checks its session every few seconds) finds itself signed out."""
    return db.execute(delete(StaffSession).where(StaffSession.user_id == user.id)).rowcount


class SelfChange(ValueError):
    """Admins may not lock themselves out: deactivating or demoting one's own account is refused."""


def _not_self(user: User, actor_id: int) -> None:
    if user.id == actor_id:
        raise SelfChange("you cannot deactivate or change the role of your own account")


def deactivate_user(db: Session, user: User, actor_id: int) -> None:
    with unit_of_work(db):
        _not_self(user, actor_id)
        user.is_active = False
        ended = end_sessions(db, user)
        audit.record(
            db, actor_id, "user.deactivate", f"user:{user.id}", email=user.email, sessions_ended=ended
        )


def activate_user(db: Session, user: User, actor_id: int) -> None:
    with unit_of_work(db):
        user.is_active = True
        audit.record(db, actor_id, "user.activate", f"user:{user.id}", email=user.email)


def reset_password(db: Session, user: User, password: str, actor_id: int) -> None:
    """Sets a new password (never logged) and ends the user's sessions, so whoever held the old
    one is out at once."""
    with unit_of_work(db):
        user.password_hash = hash_password(password)
        ended = end_sessions(db, user)
        audit.record(db, actor_id, "user.password_reset", f"user:{user.id}", sessions_ended=ended)


def set_access(db: Session, user: User, role: str, store_ids: list[str], actor_id: int) -> None:
    """Changes role and stores; they apply to the user's very next request (sessions load the
    user afresh each time)."""
    with unit_of_work(db):
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if role != user.role:
            _not_self(user, actor_id)
        stores = _stores(db, store_ids)
        before = {"role": user.role, "stores": sorted(s.id for s in user.stores)}
        user.role, user.stores = role, stores
        audit.record(
            db, actor_id, "user.access", f"user:{user.id}", before=before, role=role, stores=sorted(store_ids)
        )


def revoke_sessions(db: Session, user: User, actor_id: int) -> None:
    with unit_of_work(db):
        ended = end_sessions(db, user)
        audit.record(db, actor_id, "user.sessions_revoke", f"user:{user.id}", sessions_ended=ended)
