"""OpenAPI fuzzing with schemathesis, in-process against the app's own schema, signed in as an
admin and as the demo kiosk (both credentials on every call): no answer may be a 5xx, and
every documented answer must match its schema. Bounded to a few examples per operation.

On SQLite and on PostgreSQL, each generated case is also sent again with hostile values put
in: NUL and lone surrogates in every string, 20-digit numbers in every integer, and 100,000
nested '[' as the body; those must be refused with a 4xx, never a 5xx."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from urllib.parse import quote, urlencode

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from kiosk.backend.app import create_app
from kiosk.backend.settings import load_settings
from kiosk.backend.throwaway_pg import create_database, drop_database

# Signing out would end the fuzzing session; the event stream is long-lived by design.
EXCLUDED = r"^/api/v1/(auth/logout|stores/\{store_id\}/help-requests/stream)$"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_app(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    template = request.getfixturevalue(f"{request.param}_template")
    if request.param == "sqlite":
        shutil.copyfile(template.database_url.removeprefix("sqlite:///"), root / "maraya.db")
        url = f"sqlite:///{root / 'maraya.db'}"
    else:
        server, name = request.getfixturevalue("postgres_server_url"), f"fuzz_{uuid.uuid4().hex[:12]}"
        url = create_database(server, name, sa.engine.make_url(template.database_url).database)
        request.addfinalizer(lambda: drop_database(server, name))
    data_dir = root / "data"
    shutil.copytree(template.data_dir, data_dir)
    settings = load_settings(
        dev_mode=True,
        database_url=url,
        data_dir=data_dir,
        cookie_secure=False,
        purge_interval_s=0,
        login_rate_per_minute=10_000,
        public_burst=100_000,  # rate limits are tested on their own; here they would hide answers
    )
    app = create_app(settings)
    return app, template.seed


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    app, _ = fuzz_app
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex=EXCLUDED)


@pytest.fixture(scope="module")
def credentials(fuzz_app):
    from starlette.testclient import TestClient

    app, seed = fuzz_app
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/auth/login", json={"email": seed.admin_email, "password": seed.admin_password}
        )
        cookie = r.cookies["maraya_session"]
        return {
            "Authorization": f"Bearer {seed.kiosk_token}",
            "Cookie": f"maraya_session={cookie}",
            "X-CSRF-Token": r.json()["csrf_token"],
        }


HOSTILE_STRINGS = {"nul": "x\x00y", "lone surrogate": "x\ud800y"}
HUGE = 10**20
DEEP = "[" * 100_000 + "]" * 100_000


def _replace(value, string: str | None, integer: int | None):
    """`value` with every string (and dict key's value) or every integer swapped for the hostile one."""
    if isinstance(value, dict):
        return {k: _replace(v, string, integer) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, string, integer) for v in value]
    if isinstance(value, str) and string is not None:
        return string
    if isinstance(value, int) and not isinstance(value, bool) and integer is not None:
        return integer
    return value


def _quoted(value) -> str:
    # "surrogatepass" writes a lone surrogate as its (invalid) UTF-8 bytes, as an attacker would.
    return quote(str(value), safe="", errors="surrogatepass")


def hostile_requests(case):
    """(what, method, url, body bytes or None) for the case sent again with NUL, then a lone
    surrogate, in every string of its JSON body, query and path, then 20-digit numbers in every
    integer. Built by hand: an HTTP client refuses to encode a lone surrogate at all. Binary
    (multipart) uploads are left to their own checks."""
    if case.body is not None and case.media_type != "application/json":
        return
    variants = [(name, text, None) for name, text in HOSTILE_STRINGS.items()] + [("20-digit int", None, HUGE)]
    for name, text, integer in variants:
        path = case.path
        for key, value in (case.path_parameters or {}).items():
            path = path.replace(f"{{{key}}}", _quoted(_replace(value, text, integer)))
        query = _replace(case.query or {}, text, integer)
        if query:
            path += "?" + urlencode(query, doseq=True, errors="surrogatepass")
        body = None if case.body is None else json.dumps(_replace(case.body, text, integer)).encode()
        yield name, case.method.upper(), path, body


@pytest.mark.slow
def test_no_server_errors_and_answers_match_the_schema(fuzz_app, api_schema, credentials):
    from starlette.testclient import TestClient

    hostile_client = TestClient(fuzz_app[0], raise_server_exceptions=False)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            headers = {**credentials, **(case.headers or {})}
            if case.path == "/api/v1/auth/login":
                headers.pop("Cookie")  # a fuzzed sign-in must not replace the admin's session
            case.call_and_validate(headers=headers, checks=checks)
            for name, method, url, body in hostile_requests(case):
                sent = {**headers, "content-type": "application/json"} if body is not None else headers
                r = hostile_client.request(method, url, content=body, headers=sent)
                assert r.status_code < 500, f"with {name}: {method} {url} -> {r.status_code} {r.text[:300]}"

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not only the first
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
            failures.append(f"{operation.label}: " + " | ".join(str(e)[:600] for e in found))
    assert operations >= 35
    assert not failures, "\n\n".join(failures)


def test_a_deeply_nested_body_is_refused_by_every_json_operation(fuzz_app, credentials):
    from starlette.testclient import TestClient

    app, _ = fuzz_app
    schema = app.openapi()
    refused = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for path, methods in schema["paths"].items():
            for method, spec in methods.items():
                if "application/json" not in spec.get("requestBody", {}).get("content", {}):
                    continue
                url = re.sub(r"\{(\w+)\}", lambda m: "riyadh-01" if m.group(1) == "store_id" else "1", path)
                headers = {**credentials, "content-type": "application/json"}
                if path == "/api/v1/auth/login":
                    headers.pop("Cookie")
                r = client.request(method.upper(), url, content=DEEP.encode(), headers=headers)
                assert 400 <= r.status_code < 500, f"{method.upper()} {path}: {r.status_code} {r.text[:200]}"
                refused += 1
        assert json.loads(client.get("/healthz").text) == {"status": "ok"}
    assert refused >= 15
