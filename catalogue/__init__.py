"""What the store sells: the product kinds (`catalogue.kinds`) and the typed catalogue schema
(`catalogue.schema`) that the kiosk, the recommender, the assistant and the backend share.

Light to import (no models, no MediaPipe), so the backend can validate catalogues cheaply.
"""

from catalogue.kinds import (
    FINISH_NAMES,
    FINISHES,
    KIND_BY_ID,
    KIND_NAMES,
    KINDS,
    MAKEUP_KINDS,
    PAINT_ORDER,
    PRODUCT_KINDS,
    UNDERTONE_NAMES,
    UNDERTONES,
    KindSpec,
    kind,
    kinds_in,
)
from catalogue.schema import (
    DEMO_CATALOGUE,
    Catalogue,
    CatalogueError,
    Product,
    Shade,
    Variant,
    load_catalogue,
    parse_catalogue,
)

__all__ = [
    "DEMO_CATALOGUE", "FINISHES", "FINISH_NAMES", "KINDS", "KIND_BY_ID", "KIND_NAMES", "MAKEUP_KINDS",
    "PAINT_ORDER", "PRODUCT_KINDS", "UNDERTONES", "UNDERTONE_NAMES", "Catalogue", "CatalogueError",
    "KindSpec", "Product", "Shade", "Variant", "kind", "kinds_in", "load_catalogue", "parse_catalogue",
]  # fmt: skip
