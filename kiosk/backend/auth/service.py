"""Passwords (argon2id), staff sessions, sign-in rate limiting and lockout."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.auth.models import ROLES, LoginAttempt, StaffSession, User
from kiosk.backend.db import utcnow
from kiosk.backend.settings import BackendSettings
from kiosk.backend.stores.models import Store

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("maraya-timing-equaliser")
MIN_PASSWORD_LENGTH = 10


class AuthError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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


def create_user(
    db: Session, email: str, password: str, role: str, store_ids: list[str], actor_id: int | None
) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    email = email.strip().lower()
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise ValueError(f"a user {email} already exists")
    stores = list(db.scalars(select(Store).where(Store.id.in_(store_ids)))) if store_ids else []
    missing = set(store_ids) - {s.id for s in stores}
    if missing:
        raise ValueError(f"unknown store(s): {', '.join(sorted(missing))}")
    user = User(email=email, password_hash=hash_password(password), role=role, stores=stores)
    db.add(user)
    db.flush()
    audit.record(db, actor_id, "user.create", f"user:{user.id}", email=email, role=role, stores=store_ids)
    return user


def sign_in(db: Session, settings: BackendSettings, email: str, password: str, address: str) -> SignIn:
    """Checks the per-address rate, the account lockout and the password, in that order, and
    records the attempt. Raises AuthError(429 | 423 | 401)."""
    now = utcnow()
    email = email.strip().lower()
    recent = db.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.address == address, LoginAttempt.at > now - dt.timedelta(minutes=1))
    )
    if recent >= settings.login_rate_per_minute:
        raise AuthError(429, "too many sign-in attempts from this address; wait a minute")
    user = db.scalar(select(User).where(User.email == email))
    db.add(LoginAttempt(address=address, email=email, success=False, at=now))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        db.commit()
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise AuthError(423, f"account locked after repeated failures; try again in {minutes} min")
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
                user.failed_logins = 0
                audit.record(db, None, "user.locked", f"user:{user.id}", address=address)
        db.commit()
        raise AuthError(401, "wrong e-mail or password")
    user.failed_logins = 0
    user.locked_until = None
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
    db.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    db.commit()
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
        db.execute(delete(StaffSession).where(StaffSession.token_hash == sha256_hex(cookie_value)))
        db.commit()
