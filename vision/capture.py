"""Frame sources for the kiosk: webcam, video file, still image, folder of images.

Every source yields `Frame`s. `LatestFrameGrabber` runs a source on its own thread and keeps
only the newest frame, because a kiosk mirror must show *now*: a frame that waited behind
others is worse than a dropped one. A camera that fails or disappears is retried with
backoff and reported through `status`; it never raises into the pipeline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class CaptureError(RuntimeError):
    """A source cannot be opened or read; the message says which and why."""


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # H×W×3 uint8, BGR
    timestamp_ms: int  # monotonic milliseconds (for video files: position in the file)
    index: int


@dataclass(frozen=True)
class CaptureStatus:
    state: str  # "starting" | "ok" | "reconnecting" | "ended"
    message: str = ""


def read_image(path: str | Path) -> np.ndarray:
    """Decode an image file to BGR uint8, or raise CaptureError (a corrupt file is not a crash)."""
    data = np.fromfile(str(path), dtype=np.uint8) if Path(path).is_file() else None
    if data is None:
        raise CaptureError(f"image not found: {path}")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise CaptureError(f"cannot decode image (corrupt or not an image): {path}")
    return image


class FrameSource:
    """Iterable of Frames. Subclasses implement `_read() -> image | None` (None = ended)."""

    def __init__(self, *, mirror: bool = False) -> None:
        self.mirror = mirror
        self._index = 0

    def _read(self) -> np.ndarray | None:
        raise NotImplementedError

    def _timestamp_ms(self) -> int:
        return int(time.monotonic() * 1000)

    def read(self) -> Frame | None:
        image = self._read()
        if image is None:
            return None
        if self.mirror:
            image = cv2.flip(image, 1)
        frame = Frame(image=image, timestamp_ms=self._timestamp_ms(), index=self._index)
        self._index += 1
        return frame

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def close(self) -> None:
        """Release the device or file."""


class CameraSource(FrameSource):
    def __init__(self, index: int, *, mirror: bool, resolution: tuple[int, int]) -> None:
        super().__init__(mirror=mirror)
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise CaptureError(f"camera {index} cannot be opened (unplugged, busy, or no permission)")
        width, height = resolution
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # we want the newest frame, not a backlog
        self.camera_index = index

    def _read(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        if not ok:
            raise CaptureError(f"camera {self.camera_index} stopped delivering frames")
        return image

    def close(self) -> None:
        self._cap.release()


class VideoSource(FrameSource):
    def __init__(self, path: Path, *, loop: bool, mirror: bool) -> None:
        super().__init__(mirror=mirror)
        if not path.is_file():
            raise CaptureError(f"video not found: {path}")
        self._path = path
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened():
            raise CaptureError(f"cannot open video (corrupt or unsupported codec): {path}")
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0
        self._loop = loop
        self._offset_ms = 0.0  # grows by one clip length per loop so timestamps stay monotonic
        self._last_ms = 0.0

    def _read(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        if not ok and self._loop and self._index > 0:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._offset_ms = self._last_ms + 1000.0 / self.fps
            ok, image = self._cap.read()
        if not ok:
            if self._index == 0:
                raise CaptureError(f"video has no readable frames: {self._path}")
            return None
        return image

    def _timestamp_ms(self) -> int:
        self._last_ms = self._offset_ms + self._cap.get(cv2.CAP_PROP_POS_MSEC)
        return int(self._last_ms)

    def close(self) -> None:
        self._cap.release()


class ImagesSource(FrameSource):
    """One still image or a folder of them (sorted by name); timestamps advance 33 ms a frame,
    and a live grabber plays them at that rate (`fps`), like a camera would deliver them."""

    fps = 30.0

    def __init__(self, paths: list[Path], *, loop: bool, mirror: bool) -> None:
        super().__init__(mirror=mirror)
        if not paths:
            raise CaptureError("no images to read")
        self._paths = paths
        self._loop = loop
        self.paths = paths
        self._still: np.ndarray | None = None  # one image repeated is decoded once

    def _read(self) -> np.ndarray | None:
        if self._index >= len(self._paths) and not self._loop:
            return None
        if len(self._paths) > 1:
            return read_image(self._paths[self._index % len(self._paths)])
        if self._still is None:
            self._still = read_image(self._paths[0])
            self._still.flags.writeable = False  # shared by every frame: nobody may paint on it
        return self._still

    def _timestamp_ms(self) -> int:
        return self._index * 33


def open_source(
    spec: str | int, *, loop: bool = False, mirror: bool = False, resolution: tuple[int, int] = (1280, 720)
) -> FrameSource:
    """`0`/`"0"` → webcam 0; a video file; an image file; a folder of images."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec), mirror=mirror, resolution=resolution)
    path = Path(spec)
    if path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise CaptureError(f"folder has no images ({', '.join(sorted(IMAGE_SUFFIXES))}): {path}")
        return ImagesSource(images, loop=loop, mirror=mirror)
    if not path.exists():
        raise CaptureError(f"input not found: {spec}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImagesSource([path], loop=loop, mirror=mirror)
    return VideoSource(path, loop=loop, mirror=mirror)


class LatestFrameGrabber:
    """Reads a source on a background thread, keeping only the newest frame.

    A failed or lost camera is reopened with exponential backoff (0.5 s doubling to 8 s);
    the state and a plain-language message are in `status`. Video files and images are paced at
    their own frame rate so a demo clip plays in real time rather than as fast as it decodes.
    """

    def __init__(
        self,
        spec: str | int,
        *,
        loop: bool = False,
        mirror: bool = False,
        resolution: tuple[int, int] = (1280, 720),
        max_backoff_s: float = 8.0,
    ) -> None:
        self._spec = spec
        self._opts = {"loop": loop, "mirror": mirror, "resolution": resolution}
        self._max_backoff_s = max_backoff_s
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._consumed_index = -1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self.status = CaptureStatus("starting")
        self.dropped = 0  # frames replaced before anyone read them

    def start(self) -> LatestFrameGrabber:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def latest(self, after_index: int = -1, timeout: float = 0.0) -> Frame | None:
        """The newest frame with index > after_index, waiting up to `timeout` seconds for one."""
        with self._cond:
            if timeout > 0:
                self._cond.wait_for(
                    lambda: (
                        self._stop.is_set() or (self._latest is not None and self._latest.index > after_index)
                    ),
                    timeout=timeout,
                )
            frame = self._latest
            if frame is None or frame.index <= after_index:
                return None
            self._consumed_index = frame.index
        return frame

    def _publish(self, frame: Frame) -> None:
        with self._cond:
            if self._latest is not None and self._latest.index > self._consumed_index:
                self.dropped += 1
            self._latest = frame
            self._cond.notify_all()

    def _run(self) -> None:
        backoff = 0.5
        index = 0
        while not self._stop.is_set():
            try:
                source = open_source(self._spec, **self._opts)
            except CaptureError as exc:
                self.status = CaptureStatus("reconnecting", str(exc))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            self.status = CaptureStatus("ok")
            # A camera delivers at its own rate; files are played at theirs, not as fast as
            # they decode (a still would otherwise spin the whole pipeline flat out).
            period = 0.0 if isinstance(source, CameraSource) else 1.0 / source.fps
            try:
                next_due = time.monotonic()
                while not self._stop.is_set():
                    frame = source.read()
                    if frame is None:
                        self.status = CaptureStatus("ended", "end of input")
                        return
                    backoff = 0.5
                    # Renumber so indices stay increasing across reconnects; stamp with the
                    # capture time, which end-to-end latency is measured from.
                    self._publish(Frame(frame.image, int(time.monotonic() * 1000), index))
                    index += 1
                    if period:
                        next_due += period
                        self._stop.wait(max(0.0, next_due - time.monotonic()))
            except CaptureError as exc:
                self.status = CaptureStatus("reconnecting", str(exc))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
            finally:
                source.close()
