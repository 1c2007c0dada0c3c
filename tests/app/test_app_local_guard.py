"""The kiosk's local UI answers only its own page: loopback is not a trust boundary.

An attack page served from another local origin must get no frame, no state, no QR, and its
commands must not reach the state machine (issue 13); a DNS-rebound host name, a missing or
wrong secret, and a foreign Origin are each refused on their own."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from pydantic import ValidationError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from kiosk.app.chromium import kiosk_command
from kiosk.app.localguard import auth_header, ws_subprotocols
from kiosk.app.settings import KioskSettings
from kiosk.loopback import free_port

GUARDED = ("/api/state", "/api/catalogue", "/api/stats", "/api/handoff/qr.png", "/api/debug/frames")
WRONG = "x" * 43

# Everything the review's attack page did, from its own origin: open the kiosk's socket (no
# secret, a guessed one, and even the right one), count frames, send the opt-in commands, and
# read /api/state by every fetch mode.
ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>not the kiosk</title><script>
const KIOSK = "127.0.0.1:%(port)d";
const COMMANDS = [{cmd: "start"}, {cmd: "consent", accept: true, share_tone: true},
  {cmd: "select", sku: "SAH-LIP-01"}, {cmd: "summary"}, {cmd: "handoff", include_photo: true}];
window.results = {frames: 0, texts: [], opened: [], fetches: {}};
function attempt(label, protocols) {
  return new Promise((resolve) => {
    const ws = protocols ? new WebSocket(`ws://${KIOSK}/ws`, protocols) : new WebSocket(`ws://${KIOSK}/ws`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => { results.opened.push(label); COMMANDS.forEach((c) => ws.send(JSON.stringify(c))); };
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") results.texts.push(ev.data); else results.frames++;
    };
    ws.onclose = () => resolve();
    setTimeout(resolve, 3000);
  });
}
async function read(label, init) {
  try {
    const res = await fetch(`http://${KIOSK}/api/state`, init);
    results.fetches[label] = `${res.type} ${res.status} ${(await res.text()).slice(0, 40)}`;
  } catch (err) {
    results.fetches[label] = "blocked";
  }
}
window.attack = async () => {
  await attempt("no secret");
  await attempt("guessed secret", ["maraya", "maraya.token.%(wrong)s"]);
  await attempt("right secret, foreign origin", ["maraya", "maraya.token.%(token)s"]);
  await read("cors");
  await read("no-cors", {mode: "no-cors"});
  await read("cors with the secret", {headers: {Authorization: "Bearer %(token)s"}});
  return results;
};
</script>"""


@pytest.fixture
def attack_site(tmp_path, kiosk) -> Iterator[str]:
    """A second origin on loopback (another port), serving the attack page."""
    page = ATTACK_PAGE % {"port": kiosk.runtime.settings.ui_port, "wrong": WRONG, "token": kiosk.token}
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    thread.join(5)


@pytest.mark.browser
@pytest.mark.slow
def test_a_page_of_another_local_origin_gets_nothing_and_drives_nothing(browser, kiosk, attack_site, caplog):
    kiosk.reset()
    caplog.set_level(logging.INFO, logger="kiosk.app.localguard")
    page = browser.new_page()
    try:
        page.goto(attack_site)
        results = page.evaluate("window.attack()")
    finally:
        page.close()
    assert results["opened"] == [] and results["frames"] == 0 and results["texts"] == []
    # Unreadable every way: CORS fails (no preflight is answered), no-cors is opaque.
    assert results["fetches"] == {
        "cors": "blocked",
        "no-cors": "opaque 0 ",
        "cors with the secret": "blocked",
    }
    assert kiosk.runtime.machine.session is None and kiosk.runtime.machine.phase.value == "attract"
    # The handshakes reached the kiosk and its guard refused them, the leaked secret for its origin.
    refusals = [r.getMessage() for r in caplog.records if "websocket /ws" in r.getMessage()]
    assert sum("foreign origin" in m for m in refusals) == 3, refusals
    assert kiosk.token not in caplog.text and WRONG not in caplog.text  # secrets are never logged


@pytest.mark.browser
@pytest.mark.slow
def test_the_launch_url_opens_the_page_and_leaves_the_secret_out_of_the_address_bar(browser, kiosk):
    kiosk.reset()
    page = browser.new_page()
    try:
        page.goto(kiosk.launch_url)
        page.wait_for_function("window.__maraya.state && window.__maraya.stats.drawn > 2")
        assert page.url == kiosk.url + "/"
        page.reload()  # the tab keeps the secret (sessionStorage), the address does not show it
        page.wait_for_function("window.__maraya.state && window.__maraya.stats.drawn > 2")
        assert kiosk.token not in page.url
    finally:
        page.close()
    bare = browser.new_page()  # a new tab without the link: a notice, and nothing of the camera
    try:
        bare.goto(kiosk.url + "/")
        bare.wait_for_selector("body[data-phase=locked] #status-banner:not([hidden])")
        bare.wait_for_timeout(1000)
        assert bare.evaluate("window.__maraya.stats.received") == 0
        assert "launch link" in bare.inner_text("#status-banner")
        bare.goto(kiosk.url + "/?token=" + WRONG)  # a stale or guessed secret: the same
        bare.wait_for_selector("body[data-phase=locked] #status-banner:not([hidden])")
        assert bare.url == kiosk.url + "/"
        assert bare.evaluate("window.__maraya.stats.received") == 0
    finally:
        bare.close()


@pytest.mark.slow
def test_a_foreign_host_name_is_refused_on_every_route(kiosk):
    """DNS rebinding: evil.example resolving to 127.0.0.1 sends its own name as Host."""
    port = kiosk.runtime.settings.ui_port
    for path in ("/", "/healthz", "/static/app.js", *GUARDED):
        for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}"):
            response = httpx.get(kiosk.url + path, headers={"Host": host, **auth_header(kiosk.token)})
            assert response.status_code == 403, (path, host)
            assert response.text == "unknown host"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert httpx.get(
            kiosk.url + "/api/state", headers={"Host": host, **auth_header(kiosk.token)}
        ).is_success


@pytest.mark.slow
def test_the_api_needs_the_secret_and_the_page_itself_does_not(kiosk):
    for path in GUARDED:
        for headers in (
            {},
            auth_header(WRONG),
            auth_header(kiosk.token[:-1]),
            {"Authorization": kiosk.token},
        ):
            response = httpx.get(kiosk.url + path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.text == "missing or wrong secret"
        assert kiosk.api(path).status_code != 401
    assert kiosk.api("/api/state").json()["phase"] in ("attract", "consent")
    for path in ("/", "/healthz", "/static/app.js", "/static/i18n.js"):
        assert httpx.get(kiosk.url + path).status_code == 200, path


@pytest.mark.slow
def test_the_socket_needs_the_secret_and_the_kiosks_own_origin(kiosk):
    url = kiosk.url.replace("http://", "ws://") + "/ws"
    port = kiosk.runtime.settings.ui_port
    refused = [
        {},
        {"subprotocols": ["maraya"]},
        {"subprotocols": ws_subprotocols(WRONG)},
        {"subprotocols": [f"maraya.token.{kiosk.token}"]},  # the secret without the protocol
        {"subprotocols": ws_subprotocols(kiosk.token), "origin": f"http://127.0.0.1:{free_port()}"},
        {"subprotocols": ws_subprotocols(kiosk.token), "origin": "http://evil.example"},
    ]
    for options in refused:
        with pytest.raises(InvalidStatus) as refusal:
            connect(url, open_timeout=5, **options).close()
        assert refusal.value.response.status_code == 403, options
    # A rebound name, on a socket to the kiosk's address.
    with pytest.raises(InvalidStatus) as refusal:
        sock = socket.create_connection(("127.0.0.1", port))
        connect(f"ws://evil.example:{port}/ws", sock=sock, subprotocols=ws_subprotocols(kiosk.token)).close()
    assert refusal.value.response.status_code == 403
    for origin in (None, f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        with connect(url, subprotocols=ws_subprotocols(kiosk.token), origin=origin) as ws:
            assert ws.subprotocol == "maraya"
            texts = []
            while len(texts) < 2:
                message = ws.recv(timeout=5)
                if isinstance(message, str):
                    texts.append(message)
            assert '"type": "config"' in texts[0] and '"type": "state"' in texts[1]


def test_the_secret_is_strong_and_quoted_on_the_launch_line(monkeypatch):
    first, second = KioskSettings(), KioskSettings()
    assert first.ui_token.get_secret_value() != second.ui_token.get_secret_value()  # fresh per launch
    assert len(first.ui_token.get_secret_value()) >= 43
    assert first.ui_token.get_secret_value() not in repr(first)
    for weak in ("short", "a" * 31, "spaces are not allowed in a token!!", "é" * 40):
        with pytest.raises(ValidationError, match="ui_token"):
            KioskSettings(ui_token=weak)
    monkeypatch.setenv("MARAYA_UI_TOKEN", "k" * 40)
    settings = KioskSettings(ui_port=8711)
    assert settings.ui_launch_url == "http://127.0.0.1:8711/?token=" + "k" * 40
    assert kiosk_command(settings.ui_launch_url).endswith(f"'http://127.0.0.1:8711/?token={'k' * 40}'")
    assert KioskSettings(ui_host="::1").ui_origin == "http://[::1]:8700"
