"""A new product kind is one `KindSpec` in catalogue/kinds.py: the kiosk, the assistant, the try-on
and the recommender all take it from there (issue 14).

Each test copies catalogue/ into a temporary folder, adds a kind to the copy's KINDS the way a
developer would, and runs a child Python whose import path finds the copy first: nothing else
in the tree is touched. "lip_oil" is painted like lipstick and ranked like lipstick, so neither
vision code nor a retrained model is needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

LIP_OIL = """\
    KindSpec(
        id="lip_oil", name_en="Lip oil", name_ar="زيت الشفاه",
        spoken_en="lip oil", spoken_ar="زيت شفايف",
        area="lips", paint_order=10, effect={effect!r}, finishes=("gloss", "sheer"),
        words=("lip oil", "lip oils", "زيت شفايف", "زيت شفاه", "زيت الشفايف"),
        ranked_as={ranked_as!r},
    ),
"""
END_OF_KINDS = "\n)  # fmt: skip\n\nKIND_BY_ID"


def _tree_with_lip_oil(tmp_path: Path, effect: str = "lipstick", ranked_as: str = "lipstick") -> Path:
    """A folder holding catalogue/ with one more kind; assets/ is linked so DEMO_CATALOGUE resolves."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "catalogue", root / "catalogue", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "assets").symlink_to(REPO / "assets")
    kinds = root / "catalogue" / "kinds.py"
    text = kinds.read_text(encoding="utf-8")
    assert text.count(END_OF_KINDS) == 1, "catalogue/kinds.py no longer ends KINDS the way this test expects"
    spec = LIP_OIL.format(effect=effect, ranked_as=ranked_as)
    kinds.write_text(text.replace(END_OF_KINDS, "\n" + spec.rstrip("\n") + END_OF_KINDS), encoding="utf-8")
    return root


def _run(root: Path, script: str) -> subprocess.CompletedProcess:
    # The script lives in the copy's folder, so Python puts that folder first on sys.path: the
    # copied catalogue shadows the real one, and the rest of the product comes from PYTHONPATH.
    path = root / "child.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(path)], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


PROOF = """
    import json

    import numpy as np

    import catalogue
    from catalogue import DEMO_CATALOGUE, parse_catalogue
    from kiosk.app.catalogue_view import Selection, build_look, catalogue_json, load_presets
    from kiosk.assistant import Assistant, load_knowledge
    from kiosk.assistant.entities import KIND_GROUPS
    from kiosk.commands.tryon import _look_help
    from recommender.features import FEATURE_NAMES, ITEM_FEATURES, ItemTable, ShopperProfile, candidates
    from recommender.runtime import Recommender
    from vision.capture import Frame, read_image
    from vision.face import FaceTracker
    from vision.makeup import regions as R
    from vision.makeup import render

    out = {"catalogue_module": catalogue.__file__}
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    shades = [
        {"sku": f"OIL-{i}", "name_en": name, "name_ar": name_ar, "hex": hexv, "finish": "gloss",
         "undertone": tone, "depth": 5, "stock": 6}
        for i, (name, name_ar, hexv, tone) in enumerate([
            ("Berry Drop", "قطرة توتي", "#7a1f3d", "cool"), ("Coral Drop", "قطرة مرجانية", "#e0604a", "warm"),
            ("Rose Drop", "قطرة وردية", "#c4607a", "neutral"), ("Cocoa Drop", "قطرة بنية", "#6b3a2e", "warm"),
        ])
    ]
    data["products"].append({
        "id": "oil-noor", "kind": "lip_oil", "brand": "Noor", "name_en": "Noor Glow Drops",
        "name_ar": "قطرات نور", "price_sar": 79, "aisle": "B2", "tags": ["lip_oil"], "shades": shades,
    })
    cat = parse_catalogue(data)
    path = "catalogue_with_oil.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)

    # kiosk: the shopper's screen lists the kind with its names, and a tap becomes a Look layer
    view = catalogue_json(cat, load_presets(cat))
    out["view_kinds"] = view["kinds"]
    out["view_products"] = [p["id"] for p in view["products"] if p["kind"] == "lip_oil"]
    look = build_look(cat, {"lipstick": Selection("lip-sahra-velvet", "SAH-LIP-01", 1.0),
                            "lip_oil": Selection("oil-noor", "OIL-0", 1.0)})
    out["look_kinds"] = [layer.kind for layer in look.layers]
    oil_only = build_look(cat, {"lip_oil": Selection("oil-noor", "OIL-0", 1.0)})
    out["tryon_help"] = _look_help()

    # try-on: painted on a real face, on the lips only
    image = read_image("{face}")
    with FaceTracker(mode="image") as tracker:
        faces = tracker.process(Frame(image, 0, 0))
    painted = render(image, faces, oil_only)
    changed = np.abs(painted.astype(int) - image.astype(int)).max(axis=2) > 2
    ys, xs = np.nonzero(changed)
    lips = faces[0].landmarks[R.LIPS_OUTER]
    pad = 0.2 * faces[0].interocular
    out["changed_pixels"] = int(changed.sum())
    out["changed_box"] = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]
    out["lips_box"] = [float(lips[:, 0].min() - pad), float(lips[:, 1].min() - pad),
                       float(lips[:, 0].max() + pad), float(lips[:, 1].max() + pad)]

    # assistant: asked for the kind by one of its words (the product's names do not contain them)
    assistant = Assistant(load_knowledge(path))
    out["lips_group"] = list(KIND_GROUPS["lips"])
    out["ask_en"] = assistant.ask("do you have lip oil?", lang="en").reply
    assistant.reset()
    out["ask_ar"] = assistant.ask("عندكم زيت شفايف؟", lang="ar").reply

    # recommender: the shipped model, unchanged, ranks the new kind
    recs = Recommender().recommend(ShopperProfile(skin_lab=(55.0, 14.0, 20.0)), cat, "lip_oil", top_n=3)
    out["recs"] = [[r.sku, r.kind, r.reason_en] for r in recs]
    out["n_features"] = len(FEATURE_NAMES)
    block = ItemTable.build(candidates(cat, "lip_oil")).block
    out["kind_columns"] = sorted({ITEM_FEATURES[j] for j in np.flatnonzero(block.any(axis=0))
                                  if ITEM_FEATURES[j].startswith("kind_")})
    print(json.dumps(out, ensure_ascii=False))
"""


def test_a_kind_added_in_one_place_reaches_kiosk_assistant_tryon_and_recommender(tmp_path):
    root = _tree_with_lip_oil(tmp_path)
    run = _run(root, PROOF.replace("{face}", str(REPO / "tests" / "data" / "grace_hopper.jpg")))
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["catalogue_module"].startswith(str(root)), "the child did not import the copied catalogue"

    assert {"id": "lip_oil", "name_en": "Lip oil", "name_ar": "زيت الشفاه"} in out["view_kinds"]
    assert out["view_products"] == ["oil-noor"]
    assert out["look_kinds"] == ["lipstick", "lip_oil"]  # paint_order 10: over the lipstick
    assert "lip_oil" in out["tryon_help"]

    assert out["changed_pixels"] > 200
    x0, y0, x1, y1 = out["changed_box"]
    lx0, ly0, lx1, ly1 = out["lips_box"]
    assert lx0 <= x0 and ly0 <= y0 and x1 <= lx1 and y1 <= ly1, (out["changed_box"], out["lips_box"])

    assert "lip_oil" in out["lips_group"]
    assert "Noor Glow Drops" in out["ask_en"], out["ask_en"]
    assert "قطرات نور" in out["ask_ar"], out["ask_ar"]

    assert len(out["recs"]) == 3 and all(kind == "lip_oil" for _, kind, _ in out["recs"])
    assert {sku for sku, _, _ in out["recs"]} <= {"OIL-0", "OIL-1", "OIL-2", "OIL-3"}
    assert out["kind_columns"] == ["kind_lipstick"]  # encoded in the column it ranks as
    assert out["n_features"] == len(
        json.loads((REPO / "models/recommender_card.json").read_text())["feature_names"]
    )


@pytest.mark.parametrize(
    ("effect", "ranked_as", "script", "expected"),
    [
        # the model has no lip_oil column: the recommender, and with it the kiosk's advisor, refuse
        # to load rather than drop the recommendations without a word
        (
            "lipstick",
            "lip_oil",
            "from kiosk.app.runtime import load_advisor\nload_advisor(lambda: None)",
            ["FeatureSchemaError", "'lip_oil'", "ranked_as=", "retrain"],
        ),
        # no effect of that name: vision refuses to import rather than fail on the first tap
        ("lip_plumper", "lipstick", "import vision.makeup", ["'lip_oil': 'lip_plumper'", "write the effect"]),
    ],
)
def test_a_kind_nothing_can_handle_fails_loudly_at_import(tmp_path, effect, ranked_as, script, expected):
    root = _tree_with_lip_oil(tmp_path, effect=effect, ranked_as=ranked_as)
    run = _run(root, script + "\nprint('no error')\n")
    assert run.returncode != 0 and "no error" not in run.stdout
    last = run.stderr.strip().splitlines()[-1]
    for word in expected:
        assert word in last, last
