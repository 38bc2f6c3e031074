"""The import contract (pyproject.toml, ``lint-imports`` in ``make lint``) holds for the code as it is,
and fails on a new sideways import: a copy of the package with ``workorders`` importing the SLA breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def run_contract(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_the_import_contract() -> None:
    done = run_contract(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_workorders_importing_one_of_its_listeners_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "huiyin", tmp_path / "huiyin", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    service = tmp_path / "huiyin" / "workorders" / "service" / "loop.py"
    service.write_text(service.read_text() + "\nfrom huiyin.sla import service as _sla  # noqa: E402\n")
    done = run_contract(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "huiyin.workorders is not allowed to import huiyin.sla" in done.stdout
    assert "huiyin.workorders.service.loop -> huiyin.sla.service" in done.stdout
