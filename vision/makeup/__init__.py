"""Makeup try-on: `render(image, faces, look)` with looks from `parse_look` / `load_look`."""

from vision.makeup.look import FINISHES, KINDS, Layer, Look, LookError, load_look, parse_look
from vision.makeup.render import render

__all__ = ["FINISHES", "KINDS", "Layer", "Look", "LookError", "load_look", "parse_look", "render"]
