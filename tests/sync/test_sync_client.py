"""BackendClient against the real backend (catalogue/FAQ with ETags, model download, help,
handoff) and against a misbehaving one (bad documents, bad model bytes, 5xx, timeouts)."""

from __future__ import annotations

import hashlib
import json
import socket
import time

import httpx
import pytest
from faultserver import FaultServer

from catalogue import load_catalogue
from kiosk.sync.client import (
    BackendClient,
    BackendError,
    Rejected,
    Unauthorized,
    Unavailable,
    current_model,
)


@pytest.fixture
def client(live_backend):
    c = BackendClient(live_backend.url, live_backend.token)
    yield c
    c.close()


def test_catalogue_is_cached_and_revalidated_with_its_etag(live_backend, client, tmp_path):
    cache = tmp_path / "catalogue.json"
    first = client.pull_catalogue(cache)
    assert first.changed
    cat = load_catalogue(cache)
    assert cat.store_id == live_backend.store_id and str(cat.version) == first.version and cat.products
    stamp = cache.stat().st_mtime_ns
    again = client.pull_catalogue(cache)
    assert not again.changed and again.version == first.version and cache.stat().st_mtime_ns == stamp
    live_backend.query(
        "UPDATE stores SET catalogue_version = catalogue_version + 1 WHERE id = :s", s=live_backend.store_id
    )
    bumped = client.pull_catalogue(cache)
    assert bumped.changed and int(bumped.version) == int(first.version) + 1
    cache.write_text("{ truncated")  # a damaged cache is replaced by a full pull, not revalidated
    assert client.pull_catalogue(cache).changed and load_catalogue(cache).version == int(bumped.version)


def test_faq_is_cached_with_both_languages(client, tmp_path):
    cache = tmp_path / "faq.json"
    assert client.pull_faq(cache).changed
    faq = json.loads(cache.read_text(encoding="utf-8"))
    assert faq["entries"] and all(e["question_ar"] and e["answer_en"] for e in faq["entries"])
    assert faq["store"]["name_ar"]
    assert not client.pull_faq(cache).changed


def test_a_broken_document_never_replaces_the_cached_one(tmp_path):
    cache = tmp_path / "catalogue.json"
    cache.write_text(json.dumps({"store_id": "s", "version": 3, "products": []}))
    good = cache.read_bytes()
    with FaultServer() as server:
        client = BackendClient(server.url, "t")
        bad_product = {"store_id": "s", "version": 4, "products": [{"id": "x", "kind": "lipstick"}]}
        server.routes["/api/v1/kiosk/catalogue"] = (200, {}, json.dumps(bad_product).encode())
        with pytest.raises(BackendError, match="invalid document"):
            client.pull_catalogue(cache)
        server.routes["/api/v1/kiosk/catalogue"] = (200, {}, b"<html>proxy error</html>")
        with pytest.raises(Unavailable, match="not JSON"):
            client.pull_catalogue(cache)
        server.routes["/api/v1/kiosk/faq"] = (
            200,
            {},
            json.dumps({"version": 2, "entries": [{"id": 1}]}).encode(),
        )
        with pytest.raises(BackendError, match="invalid document"):
            client.pull_faq(tmp_path / "faq.json")
        client.close()
    assert cache.read_bytes() == good and not (tmp_path / "faq.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["catalogue.json"]  # no temp files left behind


def _publish(backend, blob: bytes, version: str) -> str:
    from kiosk.backend.db import make_engine, make_sessionmaker, session_scope
    from kiosk.backend.demo import publish_model

    source = backend.data_dir / f"upload-{version}.onnx"
    source.write_bytes(blob)
    engine = make_engine(backend.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            publish_model(db, source, version, backend.data_dir)
    finally:
        engine.dispose()
    return hashlib.sha256(blob).hexdigest()


def test_model_is_verified_installed_and_handed_over_once(live_backend, client, tmp_path):
    model_dir = tmp_path / "models"
    blob = b"onnx-model-bytes-" + bytes(range(256)) * 64
    sha = _publish(live_backend, blob, f"test-{time.time_ns()}")
    handed: list[tuple[str, str]] = []

    def on_model(path, digest):
        assert path.read_bytes() == blob
        handed.append((path.name, digest))

    assert client.pull_model(model_dir, on_model).changed
    assert handed == [(f"recommender-{sha[:16]}.onnx", sha)]
    assert current_model(model_dir)["sha256"] == sha
    assert not client.pull_model(model_dir, on_model).changed and len(handed) == 1

    newer = blob + b"v2"
    sha2 = _publish(live_backend, newer, f"test2-{time.time_ns()}")

    def refuse(path, digest):
        raise RuntimeError("recommender cannot load this model")

    with pytest.raises(RuntimeError):
        client.pull_model(model_dir, refuse)
    assert current_model(model_dir)["sha256"] == sha  # the working model stays in charge
    assert sorted(p.name for p in model_dir.glob("*.onnx")) == [f"recommender-{sha[:16]}.onnx"]

    blob = newer  # on_model checks the bytes it is handed
    assert client.pull_model(model_dir, on_model).changed
    assert current_model(model_dir)["sha256"] == sha2
    assert sorted(p.name for p in model_dir.glob("*.onnx")) == [f"recommender-{sha2[:16]}.onnx"]


@pytest.mark.parametrize(
    ("served", "announced_size", "fault"),
    [
        (b"Z" * 1000, 1000, "verification"),  # right size, other bytes
        (b"A" * 999, 1000, "verification"),  # cut short
        (b"A" * 5000, 1000, "longer than"),  # more than announced
    ],
)
def test_a_bad_model_download_never_replaces_the_current_one(tmp_path, served, announced_size, fault):
    model_dir = tmp_path / "models"
    good_sha = hashlib.sha256(b"A" * 1000).hexdigest()
    with FaultServer() as server:
        info = {
            "version": "v9",
            "sha256": good_sha,
            "size": announced_size,
            "url": "/api/v1/kiosk/model/file",
        }
        server.routes["/api/v1/kiosk/model"] = (200, {}, json.dumps(info).encode())
        server.routes["/api/v1/kiosk/model/file"] = (
            200,
            {"content-type": "application/octet-stream"},
            served,
        )
        client = BackendClient(server.url, "t")
        with pytest.raises(BackendError, match=fault):
            client.pull_model(model_dir, lambda p, s: pytest.fail("a bad model was handed over"))
        client.close()
    assert list(model_dir.iterdir()) == [] and current_model(model_dir) is None


@pytest.mark.parametrize("elsewhere", ["http://198.51.100.7/model.onnx", "http://127.0.0.1:9/model.onnx"])
def test_the_token_is_never_sent_to_a_model_url_elsewhere(tmp_path, elsewhere):
    with FaultServer() as server:
        info = {"version": "v1", "sha256": "0" * 64, "size": 1, "url": elsewhere}
        server.routes["/api/v1/kiosk/model"] = (200, {}, json.dumps(info).encode())
        client = BackendClient(server.url, "t")
        with pytest.raises(BackendError, match="not on the backend"):
            client.pull_model(tmp_path, lambda p, s: None)
        client.close()


def test_no_model_published_is_not_an_error(tmp_path):
    with FaultServer() as server:  # answers 404 on every path
        client = BackendClient(server.url, "t")
        pulled = client.pull_model(tmp_path / "models", lambda p, s: pytest.fail("nothing to hand over"))
        client.close()
    assert not pulled.changed and pulled.version is None


def test_server_errors_timeouts_and_refusals_are_unavailable(tmp_path):
    with FaultServer() as server:
        server.routes["/api/v1/kiosk/heartbeat"] = (503, {}, b'{"detail":"maintenance"}')
        client = BackendClient(server.url, "t")
        from syncsim import heartbeat_info

        with pytest.raises(Unavailable) as err:
            client.heartbeat(heartbeat_info())
        assert err.value.status == 503
        client.close()
    # A backend that accepts the connection but never answers: the read timeout ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = BackendClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "t", timeout_s=0.5)
        start = time.monotonic()
        with pytest.raises(Unavailable, match="Timeout"):
            client.pull_faq(tmp_path / "faq.json")
        assert time.monotonic() - start < 5
        client.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    client = BackendClient(f"http://127.0.0.1:{closed_port}", "t")
    with pytest.raises(Unavailable, match="ConnectError"):
        client.pull_faq(tmp_path / "faq.json")
    client.close()


def test_wrong_token_is_unauthorized(live_backend, tmp_path):
    client = BackendClient(live_backend.url, "not-a-kiosk-token")
    with pytest.raises(Unauthorized):
        client.pull_catalogue(tmp_path / "c.json")
    client.close()


def test_help_request_is_raised_and_its_acknowledgement_seen(live_backend, client):
    import uuid

    ticket = client.create_help_request(str(uuid.uuid4()), "shopper", "")
    assert ticket.status == "open"
    assert client.help_request(ticket.id).status == "open"
    live_backend.query(
        "UPDATE help_requests SET status = 'acknowledged', acknowledged_at = CURRENT_TIMESTAMP WHERE id = :i",
        i=ticket.id,
    )
    seen = client.help_request(ticket.id)
    assert seen.status == "acknowledged" and seen.acknowledged_at


def test_handoff_is_created_and_its_page_lists_the_shade(live_backend, client):
    import uuid

    ticket = client.create_handoff(
        str(uuid.uuid4()), [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}]
    )
    assert ticket.url.startswith("/h/") and ticket.code not in ticket.url  # the link is the long token
    page = httpx.get(live_backend.url + ticket.url)
    assert page.status_code == 200 and "SAH-LIP-01" in page.text
    with pytest.raises(ValueError, match="JPEG"):
        client.create_handoff(str(uuid.uuid4()), [{"product_id": "p"}], b"\x89PNG\r\n\x1a\n")
    with pytest.raises(Rejected) as err:
        client.create_handoff(str(uuid.uuid4()), [], None)
    assert err.value.status == 422
