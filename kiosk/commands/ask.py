"""`kiosk ask "<question>"`: answer one question from the command line as the kiosk would, and
print JSON {intent, confidence, reply, lang, escalate, answered}. Other tools parse this output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("ask", help="ask the in-store assistant one question (prints JSON)")
    p.add_argument("question")
    p.add_argument(
        "--lang", choices=("ar", "en"), help="reply language (default: from the question's script)"
    )
    p.add_argument(
        "--store", help="store id the catalogue must belong to (default: whatever the catalogue holds)"
    )
    p.add_argument("--catalogue", type=Path, help="catalogue JSON (default: the demo catalogue)")
    p.add_argument("--faq", type=Path, help="FAQ + store settings JSON in the /api/v1/kiosk/faq shape")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from catalogue import DEMO_CATALOGUE, CatalogueError
    from kiosk.assistant import Assistant, KnowledgeError, load_knowledge
    from kiosk.assistant.knowledge import DEFAULT_FAQ

    try:
        knowledge = load_knowledge(args.catalogue or DEMO_CATALOGUE, args.faq or DEFAULT_FAQ)
    except (CatalogueError, KnowledgeError) as exc:
        print(f"kiosk ask: {exc}", file=sys.stderr)
        return 2
    if args.store and knowledge.catalogue.store_id != args.store:
        print(
            f"kiosk ask: the catalogue is for store {knowledge.catalogue.store_id!r}, not {args.store!r}",
            file=sys.stderr,
        )
        return 2
    reply = Assistant(knowledge).ask(args.question, args.lang)
    print(json.dumps(reply.to_json(), ensure_ascii=False))
    return 0
