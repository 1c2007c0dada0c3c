"""Furniture try-on per frame: resolve placements to models, render on change, composite always.

A kiosk camera is fixed and a shopper changes the placement a few times a minute, so the
render is cached under (camera, placements, light) and most frames are only a composite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision.people import People
from vision.plane.placement import Placement
from vision.render.composite import Layer, estimate_light
from vision.render.model import FurnitureModel, load_model
from vision.render.occlusion import PeopleOcclusion
from vision.render.raycast import RaycastRenderer
from vision.render.scene import Camera, Light, PlacedModel

FURNITURE_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "furniture"


class ModelLibrary:
    """Loads each catalogue model once, checked against the catalogue's dimensions."""

    def __init__(self, catalogue, model_dir: Path = FURNITURE_DIR) -> None:
        self.catalogue = catalogue
        self.model_dir = Path(model_dir)
        self._models: dict[str, FurnitureModel] = {}
        self._products = {p.id: p for p in catalogue.by_kind("furniture")}

    def placed(self, placement: Placement) -> PlacedModel:
        product = self._products.get(placement.product_id)
        if product is None or not product.model:
            raise KeyError(f"no furniture product {placement.product_id!r} with a model in the catalogue")
        if product.id not in self._models:
            self._models[product.id] = load_model(self.model_dir / product.model, product.dimensions_m)
        variant = next((v for v in product.variants if v.sku == placement.variant), None)
        if variant is None:
            raise KeyError(f"{product.id} has no variant {placement.variant!r}")
        return PlacedModel(placement, self._models[product.id], variant.hex)


@dataclass
class CacheStats:
    renders: int = 0
    hits: int = 0


class FurnitureTryOn:
    """`dragging=True` frames (the shopper's finger is on an item) use the half-resolution
    preview renderer; the first still frame after a drag is rendered again at full quality.
    People found in the frame (vision.people) are kept in front of pieces they stand before."""

    def __init__(
        self, library: ModelLibrary, renderer=None, preview_renderer=None, match_light: bool = True
    ) -> None:
        self.library = library
        self.renderer = renderer or RaycastRenderer()
        self.preview_renderer = preview_renderer or RaycastRenderer(scale=0.5)
        self.match_light = match_light
        self.stats = CacheStats()
        self._key: tuple | None = None
        self._layer: Layer | None = None
        self.occlusion = PeopleOcclusion()

    def layer(
        self, camera: Camera, placements: tuple[Placement, ...], light: Light, dragging: bool = False
    ) -> Layer:
        key = (camera.key, placements, light, dragging)
        if key != self._key or self._layer is None:
            items = [self.library.placed(p) for p in placements]
            renderer = self.preview_renderer if dragging else self.renderer
            self._layer = Layer.from_render(renderer.render(items, camera, light))
            self._key = key
            self.stats.renders += 1
        else:
            self.stats.hits += 1
        return self._layer

    def frame(
        self,
        frame_bgr: np.ndarray,
        camera: Camera,
        placements: tuple[Placement, ...],
        dragging: bool = False,
        people: People | None = None,
    ) -> np.ndarray:
        light = estimate_light(frame_bgr) if self.match_light else Light()
        if not placements:
            return frame_bgr.copy()
        layer = self.layer(camera, tuple(placements), light, dragging)
        keep = self.occlusion.keep(layer, people, frame_bgr) if people else None
        return layer.apply(frame_bgr, keep=keep)
