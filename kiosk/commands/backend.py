"""`kiosk backend`: run the staff/kiosk backend (uvicorn), and its admin tasks: `create-store`,
`create-admin` (any staff account), `create-kiosk` (prints a one-time token) and `purge`.

Whatever the operator can fix (settings, an unreachable or broken database, a store that does
not exist) ends the command with one line on stderr and exit status 2, never a traceback, and
never with the secret key or a database password in it."""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
from collections.abc import Callable

EXIT_OPERATOR_ERROR = 2


class OperatorError(Exception):
    """A problem the operator can fix, said in one line."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backend", help="run the backend service (FastAPI) or one of its admin tasks"
    )
    parser.add_argument("--env-file", help="settings file (KEY=value lines; MARAYA_* and DATABASE_URL)")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    parser.add_argument(
        "--dev", action="store_true", help="dev mode: allows the default secret and plain-HTTP cookies"
    )
    parser.set_defaults(func=_guarded(_serve), action=None)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")

    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="load the demo store, admin, kiosk and FAQ first (only with --dev: the password is public)",
    )

    purge = sub.add_parser("purge", help="delete shopper-session data older than the retention period")
    purge.set_defaults(func=_guarded(_purge))

    store = sub.add_parser("create-store", help="open a store (the first step on a fresh database)")
    store.add_argument("store_id", help="lower-case id, e.g. riyadh-01")
    store.add_argument("--name-en", required=True)
    store.add_argument("--name-ar", required=True)
    store.add_argument("--currency", default="SAR")
    store.set_defaults(func=_guarded(_create_store))

    admin = sub.add_parser(
        "create-admin",
        help="create a staff account (password from MARAYA_NEW_PASSWORD or read from the terminal)",
    )
    admin.add_argument("email")
    admin.add_argument("--role", choices=("admin", "manager", "staff"), default="admin")
    admin.add_argument(
        "--store", action="append", default=[], help="store id this account may work on (repeatable)"
    )
    admin.set_defaults(func=_guarded(_create_admin))

    kiosk = sub.add_parser("create-kiosk", help="register a kiosk and print its one-time token")
    kiosk.add_argument("--store", required=True)
    kiosk.add_argument("--name", required=True)
    kiosk.set_defaults(func=_guarded(_create_kiosk))


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from kiosk.backend.settings import SettingsError

        try:
            return handler(args)
        except (OperatorError, SettingsError) as exc:
            print(f"kiosk backend: error: {exc}", file=sys.stderr)
            return EXIT_OPERATOR_ERROR

    return run


def _settings(args: argparse.Namespace):
    from pathlib import Path

    from kiosk.backend.settings import load_settings

    overrides = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.dev:
        overrides.update(dev_mode=True, cookie_secure=False)
    return load_settings(Path(args.env_file) if args.env_file else None, **overrides)


def _database_problem(database_url: str, exc: Exception) -> OperatorError:
    """One line for a database that cannot be reached, parsed or used: the driver's own first
    line (e.g. 'connection refused', 'file is not a database'), with the password taken out."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    try:
        url = make_url(database_url)
        shown, password = url.render_as_string(hide_password=True), url.password
    except ArgumentError:  # an unparsable URL may hold a password anywhere: show none of it
        shown, password = "DATABASE_URL", None
    if password:
        reason = reason.replace(str(password), "***")
    return OperatorError(f"database {shown}: {reason}")


def _migrated(settings):
    """Brings the schema up to date and returns (engine, sessionmaker), or an OperatorError."""
    from sqlalchemy.exc import SQLAlchemyError

    from kiosk.backend.db import make_engine, make_sessionmaker, migrate

    try:
        migrate(settings.database_url)
        engine = make_engine(settings.database_url)
    except (SQLAlchemyError, OSError) as exc:
        raise _database_problem(settings.database_url, exc) from None
    return engine, make_sessionmaker(engine)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.backend.app import create_app
    from kiosk.backend.demo import seed_demo

    if args.seed_demo and not args.dev:
        raise OperatorError("--seed-demo makes an admin with a published password; it needs --dev")
    settings = _settings(args)
    engine, _ = _migrated(settings)  # a database that cannot be used is one line, before uvicorn starts
    engine.dispose()
    if args.seed_demo:
        seed = seed_demo(settings.database_url, settings.data_dir)
        print(f"demo admin: {seed.admin_email} / {seed.admin_password}")
        print(f"demo kiosk token ({seed.store_id}): {seed.kiosk_token}")
    app = create_app(settings, run_migrations=False)
    print(f"admin pages: http://{args.host}:{args.port}/admin", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from kiosk.backend.retention import purge

    settings = _settings(args)
    engine, factory = _migrated(settings)
    try:
        result = purge(factory, settings)
    finally:
        engine.dispose()
    print(
        f"purged data older than {result.cutoff:%Y-%m-%d %H:%M} UTC: {result.events} events, "
        f"{result.help_requests} help requests, {result.handoffs} handoffs, {result.batches} batch receipts"
    )
    return 0


def _create_store(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from kiosk.backend.db import session_scope
    from kiosk.backend.stores.schemas import StoreIn
    from kiosk.backend.stores.service import StoreExists, create_store

    try:
        body = StoreIn(id=args.store_id, name_en=args.name_en, name_ar=args.name_ar, currency=args.currency)
    except ValidationError as exc:
        raise OperatorError(
            "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors(include_input=False))
        ) from None
    engine, factory = _migrated(_settings(args))
    try:
        with session_scope(factory) as db:
            store = create_store(db, body, None)
            print(f"created store {store.id} ({store.name_en} / {store.name_ar})")
    except StoreExists as exc:
        raise OperatorError(str(exc)) from None
    finally:
        engine.dispose()
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from kiosk.backend.auth.service import create_user
    from kiosk.backend.db import session_scope

    settings = _settings(args)
    password = os.environ.get("MARAYA_NEW_PASSWORD") or getpass.getpass("password (10+ characters): ")
    engine, factory = _migrated(settings)
    try:
        with session_scope(factory) as db:
            user = create_user(db, args.email, password, args.role, args.store, None)
            print(f"created {user.role} {user.email}")
    except ValueError as exc:  # an existing e-mail, an unknown store, a short password
        raise OperatorError(str(exc)) from None
    finally:
        engine.dispose()
    return 0


def _create_kiosk(args: argparse.Namespace) -> int:
    from kiosk.backend.db import session_scope
    from kiosk.backend.kiosks.service import create_kiosk
    from kiosk.backend.stores.models import Store

    engine, factory = _migrated(_settings(args))
    try:
        with session_scope(factory) as db:
            if db.get(Store, args.store) is None:
                raise OperatorError(f"no store {args.store}; open it first with `kiosk backend create-store`")
            made = create_kiosk(db, args.store, args.name, None)
            print(f"kiosk {made.kiosk.id} ({args.name}) in {args.store}; token (shown once):")
            print(made.token)
    finally:
        engine.dispose()
    return 0
