"""A seeded backend on loopback for `kiosk demo`, the kiosk's end-to-end tests, the benchmark
and the soak run: a SQLite file under the data directory, the demo catalogue, an admin and a
kiosk token (kiosk.backend.demo.seed_demo), served by uvicorn on its own thread. And, for
furniture mode without a printed board or a real floor, a showroom still with its calibration."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from kiosk.loopback import NotHealthy, wait_healthy


@dataclass
class DemoBackend:
    url: str
    kiosk_token: str
    store_id: str
    admin_user: str
    admin_password: str
    database_url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_demo_backend(data_dir: Path, port: int = 8000, host: str = "127.0.0.1") -> DemoBackend:
    from kiosk.backend.app import create_app
    from kiosk.backend.demo import seed_demo
    from kiosk.backend.settings import BackendSettings

    data_dir = Path(data_dir).resolve() / "backend"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data_dir / 'maraya.sqlite3'}"
    seed = seed_demo(database_url, data_dir)
    settings = BackendSettings(
        database_url=database_url,
        dev_mode=True,  # the demo's fixed secret; a real deployment sets MARAYA_SECRET_KEY
        data_dir=data_dir,
        cookie_secure=False,  # plain http on loopback
    )
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-backend", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    try:
        wait_healthy(url, 30, alive=thread.is_alive)
    except NotHealthy as exc:
        server.should_exit = True
        raise RuntimeError(f"the demo backend did not start on {url} (is the port in use?): {exc}") from exc
    return DemoBackend(
        url=url,
        kiosk_token=seed.kiosk_token,
        store_id=seed.store_id,
        admin_user=seed.admin_email,
        admin_password=seed.admin_password,
        database_url=database_url,
        _server=server,
        _thread=thread,
    )


def write_demo_showroom(folder: Path) -> tuple[Path, Path]:
    """A synthetic showroom as a fixed kiosk camera would see it (65° lens, 1.4 m up, looking at
    the floor 2.5 m ahead) and that camera's floor calibration. Returns (image, calibration)."""
    import cv2

    from vision.plane import DEFAULT_FLOOR_BOARD, BoardSpec, Calibration, FloorPose, Intrinsics
    from vision.plane.synthetic import look_at_floor
    from vision.render.showroom import render_showroom

    folder.mkdir(parents=True, exist_ok=True)
    board = BoardSpec.parse(DEFAULT_FLOOR_BOARD)
    intrinsics = Intrinsics.from_fov(1280, 720, 65.0)
    R, t = look_at_floor(2.5, 1.4)
    pose = FloorPose.from_world_to_camera(R, t, board)
    image, calibration = folder / "showroom.png", folder / "floor.json"
    cv2.imwrite(str(image), render_showroom(intrinsics, pose, supersample=1))
    Calibration(intrinsics, pose).save(calibration)
    return image, calibration
