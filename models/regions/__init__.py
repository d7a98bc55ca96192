"""Indonesian regions: the gazetteer (`gazetteer.json.gz`, made by `build_gazetteer.py` from installable
packages; see README.md) and what the rest of pantau reads from it."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

GAZETTEER_PATH = Path(__file__).with_name("gazetteer.json.gz")


def read_gazetteer(path: Path = GAZETTEER_PATH) -> dict[str, Any]:
    """The gazetteer file as data: regions (code, name, level, province, coordinates, aliases) and more."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """Kemendagri code -> region name, for every province and kabupaten/kota."""
    return {record["code"]: record["name"] for record in read_gazetteer()["regions"]}
