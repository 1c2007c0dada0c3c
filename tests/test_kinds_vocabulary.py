"""Product kinds are listed once, in catalogue/kinds.py: no other source file writes out its own
list of kinds (issue 14), and the kinds file itself stays free of product imports.

"A list of kinds" is a literal (tuple, list, set, dict keys, or a string of space-separated
words) holding three or more kind ids. One or two ids are policy about a particular kind
(`kind == "furniture"`, the skin-matched foundation and concealer), and look specs
("lipstick=#9e1b32/matte"), prose that names kinds and effect function names are not lists;
none of them fires.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from catalogue import PRODUCT_KINDS

REPO = Path(__file__).resolve().parents[1]
MIN_IDS = 3

# (file, name the literal is assigned to): lists of kind ids that are NOT the product's
# vocabulary, each with the reason it may not derive from catalogue/kinds.py.
ALLOWED = {
    # the model's frozen kind columns: they change with the feature schema and a retrain, never
    # with a new product kind (which names one of them in `ranked_as`)
    ("recommender/features.py", "MODEL_KINDS"),
    # the bootstrap simulator's colour rules and synthetic shelves, per model column
    ("recommender/simulator.py", "_RULES"),
    ("recommender/simulator.py", "colour_kinds"),
    # the model kinds whose feedback loop the evaluation measures
    ("recommender/evaluate.py", "FEEDBACK_KINDS"),
    # keyed by effect name (KindSpec.effect); the effects happen to be named after the first kind
    # each painted
    ("vision/makeup/effects.py", "EFFECTS"),
    # the gallery's sample looks, named after what each shows
    ("vision/makeup/gallery.py", "PRODUCTS"),
}
SKIP_DIRS = {".venv", "tests", ".git", "node_modules", "build", "dist"}


def _sources(suffixes: tuple[str, ...]) -> list[Path]:
    return [
        p
        for p in sorted(REPO.rglob("*"))
        if p.suffix in suffixes
        and not SKIP_DIRS & set(p.relative_to(REPO).parts)
        and p.relative_to(REPO).as_posix() != "catalogue/kinds.py"
    ]


def _longest_run(words: list[str]) -> set[str]:
    """The longest run of consecutive words that are all kind ids: a list written as text
    ("kinds: foundation concealer bronzer"), unlike prose that names kinds here and there."""
    best: list[str] = []
    run: list[str] = []
    for word in words:
        run = [*run, word] if word in PRODUCT_KINDS else []
        best = max(best, run, key=len)
    return set(best)


def _ids_in(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Dict):
        items = [*(k for k in node.keys if k is not None), *node.values]
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = node.elts
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _longest_run(node.value.split())
    else:
        return set()
    return {i.value for i in items if isinstance(i, ast.Constant) and i.value in PRODUCT_KINDS}


def kind_lists_in_python(path: Path) -> list[tuple[int, str, set[str]]]:
    """(line, assigned name or "", kind ids) of each literal listing MIN_IDS or more kinds."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            for sub in ast.walk(node.value):
                owner.setdefault(sub, names[0] if names else "")
    found = []
    for node in ast.walk(tree):
        ids = _ids_in(node)
        if len(ids) >= MIN_IDS:
            found.append((node.lineno, owner.get(node, ""), ids))
    return found


_JS_ID = re.compile(r"""["'`](\w+)["'`]|\b(\w+)\s*:""")


def kind_lists_in_page(path: Path) -> set[str]:
    """Kind ids a page script or template writes as strings or object keys (all of the file)."""
    text = path.read_text(encoding="utf-8")
    return {a or b for a, b in _JS_ID.findall(text)} & set(PRODUCT_KINDS)


def test_no_source_file_lists_the_kinds_itself():
    offenders = []
    for path in _sources((".py",)):
        rel = path.relative_to(REPO).as_posix()
        for line, name, ids in kind_lists_in_python(path):
            if (rel, name) not in ALLOWED:
                offenders.append(f"{rel}:{line} {name or '(literal)'}: {sorted(ids)}")
    for path in _sources((".js", ".html")):
        ids = kind_lists_in_page(path)
        if len(ids) >= MIN_IDS:
            offenders.append(f"{path.relative_to(REPO).as_posix()}: {sorted(ids)}")
    assert not offenders, (
        "derive these from catalogue.kinds (KINDS, PAINT_ORDER, kinds_in...):\n" + "\n".join(offenders)
    )


def test_every_allowed_list_still_exists():
    # an allowance nobody needs any more would let a new copy in under its name
    seen = {
        (path.relative_to(REPO).as_posix(), name)
        for path in _sources((".py",))
        for _, name, _ in kind_lists_in_python(path)
    }
    assert seen >= ALLOWED, ALLOWED - seen


def test_the_guard_sees_the_lists_it_exists_to_catch(tmp_path):
    # the shapes the kinds were once copied in: a paint-order tuple, a label dict, a help string
    sample = tmp_path / "sample.py"
    sample.write_text(
        'KINDS = ("foundation", "concealer", "bronzer")\n'
        'LABELS = {"lipstick": "روج", "lip_liner": "محدد شفاه", "blush": "بلشر"}\n'
        'HELP = """kinds:    foundation concealer bronzer blush"""\n'
        'ok = kind == "furniture" or kind in ("foundation", "concealer")\n'
        'LOOK = "lip_liner=#8e1c2c/1.0,lipstick=#b5646b/sheer/0.8,blush=#e0828f/0.8"\n'
        'DOC = "Rules: foundation / concealer: close to the skin; lipstick and blush carry colour."\n',
        encoding="utf-8",
    )
    assert [(line, name) for line, name, _ in kind_lists_in_python(sample)] == [
        (1, "KINDS"),
        (2, "LABELS"),
        (3, "HELP"),
    ]
    page = tmp_path / "page.js"
    page.write_text('const LABELS = {lipstick: "روج", blush: "بلشر"};\nconst K = ["eyeshadow"];\n')
    assert kind_lists_in_page(page) == {"lipstick", "blush", "eyeshadow"}


def test_the_kinds_module_imports_nothing_from_the_product():
    # every layer, vision included, imports it: it must not pull any of them in
    tree = ast.parse((REPO / "catalogue" / "kinds.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses"}, imported
