"""Colour science shared by the whole product: sRGB <-> CIELAB (D65), ΔE2000, ITA°, Monk Skin Tone.

One module so that the makeup renderer, the skin-tone estimator, the recommender and the
backend all agree on what a shade's Lab value is and how far apart two colours are.
Arrays are float, channels last, RGB order (not OpenCV's BGR) unless a name says otherwise.
"""

from __future__ import annotations

import numpy as np

# D65 reference white, CIE 1931 2° observer.
_WHITE = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    """'#9e1b32' or '9e1b32' -> (158, 27, 50); raises ValueError on anything else."""
    text = value.strip().lstrip("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def rgb_to_hex(rgb) -> str:
    r, g, b = (round(float(np.clip(c, 0, 255))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


# sRGB byte -> linear light, for indexing uint8 pixels directly (a lookup, not a power per pixel).
SRGB_TO_LINEAR_LUT = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
CLIPPED_LINEAR = 0.98  # a channel at or above this linear level is taken as clipped by the camera
REFERENCE_GRAY = 0.20  # linear level of a mid-grey reference card (~L* 52)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(np.asarray(c, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in 0..255 (any shape ending in 3) -> CIELAB (L* 0..100)."""
    lin = srgb_to_linear(np.asarray(rgb, dtype=np.float64) / 255.0)
    xyz = lin @ _RGB_TO_XYZ.T / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB -> sRGB 0..255 float (clipped to the gamut)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    fx = fy + lab[..., 1] / 500
    fz = fy - lab[..., 2] / 200
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.stack([fx, fy, fz], axis=-1)
    xyz = np.where(f**3 > eps, f**3, (116 * f - 16) / kappa)
    xyz[..., 1] = np.where(lab[..., 0] > kappa * eps, fy**3, lab[..., 0] / kappa)
    lin = (xyz * _WHITE) @ _XYZ_TO_RGB.T
    return linear_to_srgb(lin) * 255.0


def hex_to_lab(value: str) -> np.ndarray:
    return rgb_to_lab(np.array(hex_to_rgb(value), dtype=np.float64))


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference, broadcasting over leading axes (Sharma et al. 2005)."""
    lab1 = np.asarray(lab1, dtype=np.float64)
    lab2 = np.asarray(lab2, dtype=np.float64)
    L1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    L2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    C1 = np.hypot(a1, b1)
    C2 = np.hypot(a2, b2)
    Cbar7 = ((C1 + C2) / 2) ** 7
    G = 0.5 * (1 - np.sqrt(Cbar7 / (Cbar7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp = L2 - L1
    dCp = C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1p * C2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh / 2))
    Lbp = (L1 + L2) / 2
    Cbp = (C1p + C2p) / 2
    hsum = h1p + h2p
    hbp = np.where(
        C1p * C2p == 0,
        hsum,
        np.where(
            np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2)
        ),
    )
    T = (
        1
        - 0.17 * np.cos(np.radians(hbp - 30))
        + 0.24 * np.cos(np.radians(2 * hbp))
        + 0.32 * np.cos(np.radians(3 * hbp + 6))
        - 0.20 * np.cos(np.radians(4 * hbp - 63))
    )
    d_theta = 30 * np.exp(-(((hbp - 275) / 25) ** 2))
    Cbp7 = Cbp**7
    Rc = 2 * np.sqrt(Cbp7 / (Cbp7 + 25.0**7))
    Sl = 1 + 0.015 * (Lbp - 50) ** 2 / np.sqrt(20 + (Lbp - 50) ** 2)
    Sc = 1 + 0.045 * Cbp
    Sh = 1 + 0.015 * Cbp * T
    Rt = -np.sin(np.radians(2 * d_theta)) * Rc
    return np.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))


def ita_degrees(lab: np.ndarray) -> np.ndarray:
    """Individual Typology Angle: atan((L* - 50) / b*) in degrees."""
    lab = np.asarray(lab, dtype=np.float64)
    return np.degrees(np.arctan2(lab[..., 0] - 50, lab[..., 2]))


ITA_CLASSES = ("very light", "light", "intermediate", "tan", "brown", "dark")


def ita_class(ita: float) -> str:
    if ita > 55:
        return "very light"
    if ita > 41:
        return "light"
    if ita > 28:
        return "intermediate"
    if ita > 10:
        return "tan"
    if ita > -30:
        return "brown"
    return "dark"


# Monk Skin Tone display swatches (pinned). They are display colours, not skin
# measurements (swatch L* runs 94..15, measured skin L* runs roughly 75..25), so a measured
# skin colour is mapped ordinally: by where its L* falls on the measured-skin range, split
# into ten equal steps, never by the nearest swatch hex.
MST_SWATCHES = (
    "#f6ede4", "#f3e7db", "#f7ead0", "#eadaba", "#d7bd96",
    "#a07e56", "#825c43", "#604134", "#3a312a", "#292420",
)  # fmt: skip
_MST_L_THRESHOLDS = np.linspace(70.0, 30.0, 9)  # L* boundaries between MST 1|2 ... 9|10


def monk_skin_tone(lab: np.ndarray) -> int:
    """Monk Skin Tone 1 (lightest) .. 10 (deepest) from a measured skin L*."""
    L = float(np.asarray(lab)[..., 0])
    return int(1 + np.sum(L < _MST_L_THRESHOLDS))


def undertone(lab: np.ndarray) -> str:
    """warm / neutral / cool from the hue angle h_ab; the bands are narrow (see DESIGN)."""
    lab = np.asarray(lab, dtype=np.float64)
    hue = float(np.degrees(np.arctan2(lab[..., 2], lab[..., 1])))
    if hue >= 62:
        return "warm"
    if hue <= 52:
        return "cool"
    return "neutral"
