"""The import contract in pyproject.toml (import-linter) holds, and it would catch a breach.

The planted cases copy the package to a temporary folder, add one offending import and lint
that copy (it comes first on PYTHONPATH), so a contract that passes everything fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which(
    "lint-imports")
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed (dev extra)")


def _lint(package_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    return subprocess.run([LINT, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
                          cwd=package_root, env=env, capture_output=True, text=True, timeout=300)


def test_the_layers_and_private_modules_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("mathcheck/numeric/_planted.py", "import mathcheck.formulas\n", "Layers"),
    ("mathcheck/formulas/_planted.py", "import mathcheck.crosscheck\n", "Layers"),
    ("mathcheck/cli/planted.py", "from mathcheck.crosscheck._engine import plan\n", "Private"),
], ids=["numeric-imports-formulas", "formulas-imports-engine", "cli-imports-engine-privates"])
def test_a_planted_violation_breaks_the_contract(tmp_path: Path, module: str, line: str,
                                                  contract: str) -> None:
    shutil.copytree(ROOT / "mathcheck", tmp_path / "mathcheck",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "*.md"))
    (tmp_path / module).write_text(line)
    result = _lint(tmp_path)
    assert result.returncode != 0
    report = result.stdout.split("Broken contracts")[-1]
    sections = {"Layers": report.split("Private modules")[0],
                "Private": report.split("Private modules")[-1]}
    assert module.replace("/", ".").removesuffix(".py") in sections[contract], result.stdout
