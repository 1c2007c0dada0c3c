"""Furniture rendering: models, the CPU raycasting renderer, compositing and the per-frame
try-on with its render cache. Open3D is imported lazily inside the functions that need it."""

from vision.render.composite import Layer, estimate_light
from vision.render.model import FurnitureModel, ModelError, Part, load_model
from vision.render.raycast import RaycastRenderer, RenderResult
from vision.render.scene import Camera, Light, PlacedModel
from vision.render.tryon import FurnitureTryOn, ModelLibrary

__all__ = [
    "Camera",
    "FurnitureModel",
    "FurnitureTryOn",
    "Layer",
    "Light",
    "ModelError",
    "ModelLibrary",
    "Part",
    "PlacedModel",
    "RaycastRenderer",
    "RenderResult",
    "estimate_light",
    "load_model",
]
