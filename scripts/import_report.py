"""Count the imports that go against the layering (docs/architecture.md), and the late ones.

    python scripts/import_report.py [--list]

An import is *upward* when a module imports an app above its own in the order; it is *late*
when it sits inside a function and names another app (an AppConfig.ready() is not counted:
that is where Django has an app import what it registers). Tests and migrations are left out: they
may reach anywhere. A cycle is two apps that import each other, at any depth of the code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The order of docs/architecture.md, bottom first; apps on one step may not import each other
# (the outbox and the audit trail sit side by side, above the accounts they name).
LAYERS = [
    ("mentorship",),
    ("accounts",),
    ("audit", "notifications"),
    ("programs",),
    ("matching",),
    ("meetings",),
    ("evaluations",),
    ("demo",),
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def modules():
    for app in LEVEL:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield app, path


def imports(path: Path):
    """(imported module, line, inside a function) for each first-party import."""
    tree = ast.parse(path.read_text(), str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return [(name, line, late) for name, line, late in found if name.split(".")[0] in LEVEL]


def report():
    upward, late, edges = [], [], set()
    for app, path in modules():
        where = path.relative_to(ROOT)
        for name, line, in_function in imports(path):
            target = name.split(".")[0]
            if target == app:
                continue
            edges.add((app, target))
            if LEVEL[target] > LEVEL[app] or (
                LEVEL[target] == LEVEL[app] and target != "mentorship"
            ):
                upward.append(f"{where}:{line} -> {name}")
            # AppConfig.ready() is where Django has an app import what it registers.
            if in_function and path.name != "apps.py":
                late.append(f"{where}:{line} -> {name}")
    cycles = sorted({tuple(sorted(edge)) for edge in edges if edge[::-1] in edges})
    return upward, late, cycles


def main(argv):
    upward, late, cycles = report()
    print(f"upward imports: {len(upward)}")
    print(f"late imports of another app: {len(late)}")
    print(f"apps importing each other: {len(cycles)} {cycles or ''}".rstrip())
    if "--list" in argv:
        for title, rows in (("upward", upward), ("late", late)):
            print(f"\n{title}:")
            print("\n".join(f"  {row}" for row in rows))


if __name__ == "__main__":
    main(sys.argv[1:])
