"""ChArUco boards described by one spec string, used by every tool that prints or detects one:
``charuco:<squares_x>x<squares_y>:<square_m>:<marker_m>:<DICT_NAME>``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The floor board the kiosk ships with: 0.8 × 0.64 m, found up to ~3.8 m at 1280×720.
DEFAULT_FLOOR_BOARD = "charuco:10x8:0.08:0.06:DICT_5X5_100"


class BoardSpecError(ValueError):
    """A board spec string does not follow charuco:<sx>x<sy>:<square_m>:<marker_m>:<DICT>."""


@dataclass(frozen=True)
class BoardSpec:
    squares_x: int
    squares_y: int
    square_m: float
    marker_m: float
    dictionary: str

    @classmethod
    def parse(cls, text: str) -> BoardSpec:
        import cv2

        fields = text.strip().split(":")
        if len(fields) != 5 or fields[0].lower() != "charuco":
            raise BoardSpecError(
                f"board spec {text!r} is not charuco:<squares_x>x<squares_y>:<square_m>:<marker_m>:<DICT>, "
                f"e.g. {DEFAULT_FLOOR_BOARD}"
            )
        try:
            sx, sy = (int(n) for n in fields[1].lower().split("x"))
            square, marker = float(fields[2]), float(fields[3])
        except ValueError as exc:
            raise BoardSpecError(f"board spec {text!r}: {exc}") from exc
        if sx < 3 or sy < 3:
            raise BoardSpecError(f"board spec {text!r}: a ChArUco board needs at least 3×3 squares")
        if not 0 < marker < square:
            raise BoardSpecError(f"board spec {text!r}: the marker must be smaller than the square")
        if not hasattr(cv2.aruco, fields[4]):
            raise BoardSpecError(f"board spec {text!r}: unknown ArUco dictionary {fields[4]!r}")
        spec = cls(sx, sy, square, marker, fields[4])
        dict_size = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, fields[4])).bytesList.shape[0]
        if spec.marker_count > dict_size:
            raise BoardSpecError(
                f"board spec {text!r}: needs {spec.marker_count} markers, {fields[4]} has {dict_size}"
            )
        return spec

    def __str__(self) -> str:
        return (
            f"charuco:{self.squares_x}x{self.squares_y}:{self.square_m:g}:{self.marker_m:g}:{self.dictionary}"
        )

    @property
    def marker_count(self) -> int:
        return self.squares_x * self.squares_y // 2

    @property
    def size_m(self) -> tuple[float, float]:
        return self.squares_x * self.square_m, self.squares_y * self.square_m

    @property
    def centre_m(self) -> np.ndarray:
        """The board centre in board coordinates: the floor frame's origin."""
        w, h = self.size_m
        return np.array([w / 2, h / 2, 0.0])

    def cv2_board(self):
        import cv2

        dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, self.dictionary))
        return cv2.aruco.CharucoBoard(
            (self.squares_x, self.squares_y), self.square_m, self.marker_m, dictionary
        )

    def image(self, px_per_m: float, margin_px: int = 0) -> np.ndarray:
        """The board as a grey image, `px_per_m` pixels per metre of board (no margin inside)."""
        w, h = self.size_m
        size = (round(w * px_per_m) + 2 * margin_px, round(h * px_per_m) + 2 * margin_px)
        return self.cv2_board().generateImage(size, marginSize=margin_px, borderBits=1)

    def save_printable(self, path: Path, dpi: int = 300) -> Path:
        """PNG or PDF that prints at the board's true size (with a 1 cm white margin and the
        spec written under it, so whoever measures the print knows what to check)."""
        import cv2
        from PIL import Image

        path = Path(path)
        if path.suffix.lower() not in (".png", ".pdf"):
            raise BoardSpecError(f"printable board must be .png or .pdf, not {path.suffix!r}")
        px_per_m = dpi / 0.0254
        margin = round(0.01 * px_per_m)
        board = self.image(px_per_m)
        h, w = board.shape
        label_h = round(0.012 * px_per_m)
        page = np.full((h + 2 * margin + label_h, w + 2 * margin), 255, np.uint8)
        page[margin : margin + h, margin : margin + w] = board
        text = f"{self}  square {self.square_m * 100:g} cm - print at 100% scale"
        scale = label_h / 40
        cv2.putText(
            page,
            text,
            (margin, h + margin + round(label_h * 0.8)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            0,
            max(1, round(scale * 2)),
            cv2.LINE_AA,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(page).save(path, dpi=(dpi, dpi), resolution=float(dpi))
        return path
