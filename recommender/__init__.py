"""Shade and item recommendations: features, training, ONNX export and ONNX inference.

Top-level API (imported lazily so that `import recommender.catalogue`, which the backend
uses, stays light): `Recommender`, `ShopperProfile`, `Recommendation`, `ModelError`.
"""

from __future__ import annotations

_API = {
    "Recommender": "recommender.runtime",
    "ModelError": "recommender.runtime",
    "ShopperProfile": "recommender.features",
    "Recommendation": "recommender.features",
    "FeatureError": "recommender.features",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")
