"""The project passes ruff with the rules configured in pyproject.toml ([tool.ruff]): pycodestyle, pyflakes,
import order, bugbear, pyupgrade, and no import inside a function unless it says why (PLC0415, the rule
tests/test_layers.py checks for the product's packages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)
    assert "No module named ruff" not in result.stderr, "ruff comes with the dev extra: pip install -e '.[dev]'"
    return result


def test_ruff_finds_nothing_in_the_project() -> None:
    result = ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, (
        f"`ruff check .` found problems (fix them, or say why on the line):\n{result.stdout}{result.stderr}")


def test_the_configured_rules_see_an_unexplained_import_in_a_function(tmp_path: Path) -> None:
    # The check itself: with the project's configuration, a deferred import without a reason is reported
    # and one that says why is not.
    (tmp_path / "module.py").write_text(
        "def load():\n"
        "    import json\n"
        "    import zlib  # noqa: PLC0415 - an example of a deferred import that gives its reason\n"
        "    return json, zlib\n",
        encoding="utf-8",
    )
    result = ruff("check", "--no-cache", "--output-format", "concise", "--config", str(PROJECT_ROOT / "pyproject.toml"),
                  "module.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "module.py:2:5: PLC0415" in result.stdout
    assert "module.py:3" not in result.stdout
