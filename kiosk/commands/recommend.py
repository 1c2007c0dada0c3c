"""`kiosk recommend` (ranked items as JSON) and `kiosk recommender train|eval`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path


def _prefs(text: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"preference {part!r} is not key=value")
        out[key.strip().lower()] = value
    return out


def register(subparsers) -> None:
    from catalogue import PRODUCT_KINDS

    rec = subparsers.add_parser(
        "recommend",
        help="rank catalogue items for a skin colour and preferences; prints JSON",
        description="Rank items of one kind for a shopper. Output: JSON object with model_version "
        "and items [{sku, product_id, shade_name_en, shade_name_ar, hex, score, reason_en, reason_ar, ...}].",
    )
    skin = rec.add_mutually_exclusive_group(required=True)
    skin.add_argument("--skin", help="skin colour: #rrggbb or L,a,b (CIELAB D65)")
    skin.add_argument("--image", type=Path, help="a photo of the shopper: the skin tone is measured from it")
    rec.add_argument("--category", required=True, choices=PRODUCT_KINDS)
    rec.add_argument(
        "--prefs",
        type=_prefs,
        default={},
        help="key=value,...: finish, coverage, intensity (natural|soft|bold), occasion, undertone, "
        "budget (SAR), style (a;b), room_colors (#hex;#hex), max_width (m)",
    )
    rec.add_argument("--top", type=int, default=5)
    rec.add_argument(
        "--catalogue", type=Path, default=None, help="catalogue JSON (default: the demo catalogue)"
    )
    rec.add_argument("--model", type=Path, default=None, help="ONNX model (default: models/recommender.onnx)")
    rec.add_argument("--include-out-of-stock", action="store_true")
    rec.set_defaults(func=_recommend)

    from recommender import evaluate, train

    tool = subparsers.add_parser("recommender", help="train or evaluate the recommender model")
    sub = tool.add_subparsers(dest="action", required=True)
    train_parser = sub.add_parser("train", help="train, export to ONNX and write the model card")
    train.add_arguments(train_parser)
    train_parser.set_defaults(func=train.run)
    eval_parser = sub.add_parser("eval", help="NDCG/Recall vs baselines, per skin-tone group")
    evaluate.add_arguments(eval_parser)
    eval_parser.set_defaults(func=evaluate.run_args)


def _recommend(args) -> int:
    from catalogue import DEMO_CATALOGUE, CatalogueError, load_catalogue
    from recommender.features import FeatureError, ShopperProfile
    from recommender.model import DEFAULT_MODEL
    from recommender.runtime import ModelError, Recommender

    skin_text, confidence = args.skin, 1.0
    if args.image is not None:
        from kiosk.commands.skin import measure_still
        from vision.face import FaceTracker

        with FaceTracker(mode="image", max_faces=2) as tracker:
            measured = measure_still(args.image, tracker)
        if measured["status"] != "ok":
            print(json.dumps(measured, ensure_ascii=False), file=sys.stderr)
            return 2
        skin_text, confidence = ",".join(str(v) for v in measured["lab"]), measured["confidence"]
    try:
        profile = ShopperProfile.from_skin_text(skin_text, confidence).with_prefs(args.prefs)
        catalogue = load_catalogue(args.catalogue or DEMO_CATALOGUE)
        recommender = Recommender(args.model or DEFAULT_MODEL)
        items = recommender.recommend(
            profile, catalogue, args.category, top_n=args.top, in_stock_only=not args.include_out_of_stock
        )
    except (FeatureError, CatalogueError, ModelError) as exc:
        print(f"kiosk recommend: {exc}", file=sys.stderr)
        return 2
    out = {
        "model_version": recommender.version,
        "category": args.category,
        "shopper": {"lab": [round(v, 2) for v in profile.skin_lab], "mst": profile.mst,
                    "ita": round(profile.ita, 1), "undertone": profile.undertone},
        "items": [asdict(r) for r in items],
    }  # fmt: skip
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0
