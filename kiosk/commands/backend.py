"""`kiosk backend`: run the staff/kiosk backend (uvicorn), and its admin tasks:
`purge` (retention), `create-admin`, `create-kiosk` (prints a one-time token)."""

from __future__ import annotations

import argparse
import getpass
import os


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backend", help="run the backend service (FastAPI) or one of its admin tasks"
    )
    parser.add_argument("--env-file", help="settings file (KEY=value lines; MARAYA_* and DATABASE_URL)")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    parser.add_argument(
        "--dev", action="store_true", help="dev mode: allows the default secret and plain-HTTP cookies"
    )
    parser.set_defaults(func=_serve, action=None)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")

    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--seed-demo", action="store_true", help="load the demo store, admin, kiosk and FAQ first"
    )

    purge = sub.add_parser("purge", help="delete shopper-session data older than the retention period")
    purge.set_defaults(func=_purge)

    admin = sub.add_parser("create-admin", help="create a staff account (password read from the terminal)")
    admin.add_argument("email")
    admin.add_argument("--role", choices=("admin", "manager", "staff"), default="admin")
    admin.add_argument(
        "--store", action="append", default=[], help="store id this account may work on (repeatable)"
    )
    admin.set_defaults(func=_create_admin)

    kiosk = sub.add_parser("create-kiosk", help="register a kiosk and print its one-time token")
    kiosk.add_argument("--store", required=True)
    kiosk.add_argument("--name", required=True)
    kiosk.set_defaults(func=_create_kiosk)


def _settings(args: argparse.Namespace):
    from pathlib import Path

    from kiosk.backend.settings import load_settings

    overrides = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.dev:
        overrides.update(dev_mode=True, cookie_secure=False)
    return load_settings(Path(args.env_file) if args.env_file else None, **overrides)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.backend.app import create_app
    from kiosk.backend.demo import seed_demo

    settings = _settings(args)
    if args.seed_demo:
        seed = seed_demo(settings.database_url, settings.data_dir)
        print(f"demo admin: {seed.admin_email} / {seed.admin_password}")
        print(f"demo kiosk token ({seed.store_id}): {seed.kiosk_token}")
    print(f"admin pages: http://{args.host}:{args.port}/admin", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from kiosk.backend.db import make_engine, make_sessionmaker, migrate
    from kiosk.backend.retention import purge

    settings = _settings(args)
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        result = purge(make_sessionmaker(engine), settings)
    finally:
        engine.dispose()
    print(
        f"purged data older than {result.cutoff:%Y-%m-%d %H:%M} UTC: {result.events} events, "
        f"{result.help_requests} help requests, {result.handoffs} handoffs, {result.batches} batch receipts"
    )
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from kiosk.backend.auth.service import create_user
    from kiosk.backend.db import make_engine, make_sessionmaker, migrate, session_scope

    settings = _settings(args)
    password = os.environ.get("MARAYA_NEW_PASSWORD") or getpass.getpass("password (10+ characters): ")
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            user = create_user(db, args.email, password, args.role, args.store, None)
            print(f"created {user.role} {user.email}")
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    finally:
        engine.dispose()
    return 0


def _create_kiosk(args: argparse.Namespace) -> int:
    from kiosk.backend.db import make_engine, make_sessionmaker, migrate, session_scope
    from kiosk.backend.kiosks.service import create_kiosk
    from kiosk.backend.stores.models import Store

    settings = _settings(args)
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            if db.get(Store, args.store) is None:
                print(f"error: no store {args.store}")
                return 2
            made = create_kiosk(db, args.store, args.name, None)
            print(f"kiosk {made.kiosk.id} ({args.name}) in {args.store}; token (shown once):")
            print(made.token)
    finally:
        engine.dispose()
    return 0
