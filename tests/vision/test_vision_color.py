import cv2
import numpy as np
import pytest

from vision import color

# Sharma, Wu & Dalal (2005) CIEDE2000 test data: (Lab1, Lab2, ΔE00).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_delta_e2000_matches_published_pairs(lab1, lab2, expected):
    assert color.delta_e2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_lab_round_trip_and_opencv_agree():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(200, 3)).astype(float)
    lab = color.rgb_to_lab(rgb)
    assert np.abs(color.lab_to_rgb(lab) - rgb).max() < 0.01
    # The renderer uses OpenCV's float Lab; it must be the same space.
    cv_lab = cv2.cvtColor((rgb[None, :, ::-1] / 255).astype(np.float32), cv2.COLOR_BGR2Lab)[0]
    assert color.delta_e2000(cv_lab, lab).max() < 0.3


def test_hex_parsing_rejects_garbage():
    assert color.hex_to_rgb("#9E1B32") == (158, 27, 50)
    for bad in ["", "#12345", "#gggggg", "red"]:
        with pytest.raises(ValueError):
            color.hex_to_rgb(bad)


def test_monk_scale_is_ordinal_in_lightness():
    tones = [color.monk_skin_tone(np.array([L, 10.0, 15.0])) for L in range(90, 10, -5)]
    assert tones == sorted(tones)
    assert tones[0] == 1 and tones[-1] == 10


def test_ita_classes():
    assert color.ita_class(float(color.ita_degrees(np.array([75.0, 5.0, 12.0])))) == "very light"
    assert color.ita_class(float(color.ita_degrees(np.array([30.0, 10.0, 12.0])))) == "dark"
