"""Shade and item recommendations: features (`features`), training (`train`), ONNX export
(`model`) and ONNX inference (`runtime`), plus nearest-colour shade matching (`shade_match`).

Import the module you need; the catalogue schema it ranks lives in the top-level `catalogue`.
"""
