"""Where a piece of furniture stands: a typed placement and its one text form,
``<sku>@<x>,<z>,<yaw_deg>`` (metres on the floor frame, degrees about the vertical)."""

from __future__ import annotations

from dataclasses import dataclass, replace


class PlacementError(ValueError):
    """A placement string is malformed or names nothing in the catalogue."""


@dataclass(frozen=True)
class Placement:
    product_id: str  # the catalogue product, e.g. "fur-sofa"
    variant: str  # the variant SKU (colour/material), e.g. "DAR-SOFA-02"
    x: float  # metres along the floor frame's X (board's long edge), 0 = board centre
    z: float  # metres along Z, towards the camera side of the board
    yaw_deg: float = 0.0  # turn about the vertical; 0 = front facing +Z

    def moved(self, x: float, z: float) -> Placement:
        return replace(self, x=x, z=z)

    def turned(self, degrees: float) -> Placement:
        return replace(self, yaw_deg=(self.yaw_deg + degrees) % 360)

    def with_variant(self, variant: str) -> Placement:
        return replace(self, variant=variant)


def parse_placement(text: str, catalogue) -> Placement:
    """`DAR-SOFA-02@0,0.5,15` (a variant SKU) or `fur-sofa@0,0.5` (first variant, yaw 0)."""
    name, sep, where = text.partition("@")
    if not sep:
        raise PlacementError(f"placement {text!r} is not <sku>@<x>,<z>[,<yaw_deg>]")
    try:
        numbers = [float(n) for n in where.split(",")]
    except ValueError as exc:
        raise PlacementError(f"placement {text!r}: {exc}") from exc
    if len(numbers) not in (2, 3):
        raise PlacementError(f"placement {text!r}: give x,z or x,z,yaw_deg")
    for product in catalogue.by_kind("furniture"):
        for variant in product.variants:
            if name in (variant.sku, product.id) and (name == variant.sku or variant is product.variants[0]):
                return Placement(
                    product.id, variant.sku, numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 0.0
                )
    skus = [v.sku for p in catalogue.by_kind("furniture") for v in p.variants]
    raise PlacementError(
        f"placement {text!r}: no furniture product or variant {name!r}; known: {', '.join(skus)}"
    )
