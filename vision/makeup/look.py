"""What to put on a face: a `Look` is an ordered list of `Layer`s.

The compact spec (`kiosk tryon --look`, and any script that drives the kiosk) is stable:

    layer[,layer...]      layer = kind=#rrggbb[+#rrggbb...][/finish][/intensity][/wing]

e.g. `lipstick=#9e1b32/matte/1.0,blush=#e8877a/0.6,eyeshadow=#6b4e71+#c9a27e/shimmer/0.8`.
Finish and intensity may come in either order (a number is the intensity); `+` joins the
colours of a multi-colour layer (eyeshadow: lid, crease, outer corner); `wing` adds an
eyeliner wing. A JSON look file is `{"layers": [{"kind", "colors" | "color", "finish",
"intensity", "wing"}]}`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from catalogue import FINISHES, KIND_BY_ID, PAINT_ORDER
from vision.color import hex_to_rgb

# What a Layer may be comes from `catalogue.kinds`, the one place a product kind is defined;
# KINDS is also the default paint order (base first, lips last).
KINDS = PAINT_ORDER
MAX_COLORS = {k: KIND_BY_ID[k].max_colors for k in KINDS}


class LookError(ValueError):
    """A look spec or file cannot be understood; the message names the part at fault."""


@dataclass(frozen=True)
class Layer:
    kind: str
    colors: tuple[str, ...]
    finish: str = "matte"
    intensity: float = 1.0
    wing: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise LookError(f"unknown product kind {self.kind!r}; known: {', '.join(KINDS)}")
        if not self.colors or len(self.colors) > MAX_COLORS[self.kind]:
            raise LookError(f"{self.kind} takes 1..{MAX_COLORS[self.kind]} colours, got {len(self.colors)}")
        for c in self.colors:
            try:
                hex_to_rgb(c)
            except ValueError as exc:
                raise LookError(f"{self.kind}: {exc}") from None
        if self.finish not in FINISHES:
            raise LookError(f"{self.kind}: unknown finish {self.finish!r}; known: {', '.join(FINISHES)}")
        if not 0.0 <= self.intensity <= 1.0:
            raise LookError(f"{self.kind}: intensity must be between 0 and 1, got {self.intensity}")

    @property
    def effect(self) -> str:
        """The vision effect that paints this layer: kinds painted alike share one, so a new kind
        needs no vision code unless it is painted in a new way."""
        return str(KIND_BY_ID[self.kind].effect)


@dataclass(frozen=True)
class Look:
    layers: tuple[Layer, ...] = ()

    def to_spec(self) -> str:
        parts = []
        for layer in self.layers:
            part = f"{layer.kind}={'+'.join(layer.colors)}/{layer.finish}/{layer.intensity:g}"
            parts.append(part + ("/wing" if layer.wing else ""))
        return ",".join(parts)

    def to_json(self) -> str:
        return json.dumps({"layers": [asdict(layer) for layer in self.layers]})


def _parse_layer(text: str) -> Layer:
    kind, sep, rest = text.strip().partition("=")
    if not sep or not rest:
        raise LookError(f"layer {text!r} is not kind=#rrggbb[/finish][/intensity]")
    fields = rest.split("/")
    colors = tuple(c.strip() for c in fields[0].split("+"))
    finish, intensity, wing = "matte", 1.0, False
    for field in fields[1:]:
        field = field.strip().lower()
        if field == "wing":
            wing = True
        elif field in FINISHES:
            finish = field
        else:
            try:
                intensity = float(field)
            except ValueError:
                raise LookError(
                    f"layer {text!r}: {field!r} is neither a finish ({', '.join(FINISHES)}) nor a number"
                ) from None
    return Layer(kind.strip().lower(), colors, finish, intensity, wing)


def parse_look(spec: str) -> Look:
    """Parse the compact spec, or load a JSON look file if `spec` names one."""
    if spec.strip().endswith(".json") or Path(spec).is_file():
        return load_look(Path(spec))
    layers = tuple(_parse_layer(part) for part in spec.split(",") if part.strip())
    if not layers:
        raise LookError("empty look")
    return Look(layers)


def load_look(path: Path) -> Look:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        layers = []
        for raw in data["layers"]:
            colors = raw.get("colors") or [raw["color"]]
            layers.append(
                Layer(
                    kind=raw["kind"],
                    colors=tuple(colors),
                    finish=raw.get("finish", "matte"),
                    intensity=float(raw.get("intensity", 1.0)),
                    wing=bool(raw.get("wing", False)),
                )
            )
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LookError(f"cannot read look file {path}: {exc}") from exc
    return Look(tuple(layers))
