"""Evaluation of pantau's stages on reference data sets (read from ../shared, never shipped)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pantau.core.errors import InputError


def shared_dir() -> Path:
    """The reference data folder: $PANTAU_SHARED, else `shared/` beside the project checkout."""
    return Path(os.environ.get("PANTAU_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")


def require_dataset(path: Path, what: str) -> Path:
    """`path` if it exists, else a one-line error saying where the data is expected."""
    if not path.exists():
        raise InputError(f"{what} not found at {path}; pass --path or set PANTAU_SHARED to the folder that holds eval/")
    return path


@dataclass
class MatchCounts:
    """True/false positives and false negatives, with the scores every evaluation reports."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
