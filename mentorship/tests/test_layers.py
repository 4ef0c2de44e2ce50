"""The import contracts in pyproject.toml break when the house is built the wrong way: a copy
of the code with one wrong import per contract fails `lint-imports` on each of them."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "mentorship", "accounts", "audit", "notifications", "programs", "matching", "meetings",
    "evaluations", "demo",
]  # fmt: skip

WRONG = {
    # module written into the copy -> the contract it breaks
    "accounts/_wrong.py": (
        "import programs.models\n",
        "One direction through the house: an app imports only the apps below it",
    ),
    "matching/_engine_wrong.py": (None, "The matching engine is pure NumPy and SciPy"),
    "mentorship/months.py": ("import programs.models\n", "The bottom of the house imports none"),
    "notifications/_wrong.py": ("import matching.models\n", "The outbox imports no domain app"),
}


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=where, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


def test_each_contract_breaks_on_a_wrong_import(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for path, (source, _contract) in WRONG.items():
        target = tmp_path / path
        if source is None:  # the engine: import Django
            engine = tmp_path / "matching" / "engine.py"
            engine.write_text("import django.db\n" + engine.read_text())
        else:
            target.write_text(source + (target.read_text() if target.exists() else ""))
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "4 broken" in result.stdout, result.stdout
    broken = result.stdout.partition("Broken contracts")[2]
    for _source, contract in WRONG.values():
        assert contract in broken, (contract, result.stdout)
