"""Evaluation of pantau's stages on reference data sets (read from ../shared, never shipped)."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import InputError


def shared_dir() -> Path:
    """The reference data folder: $PANTAU_SHARED, else `shared/` beside the project checkout."""
    return Path(os.environ.get("PANTAU_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")


def require_dataset(path: Path, what: str) -> Path:
    """`path` if it exists, else a one-line error saying where the data is expected."""
    if not path.exists():
        raise InputError(f"{what} not found at {path}; pass --path or set PANTAU_SHARED to the folder that holds eval/")
    return path
