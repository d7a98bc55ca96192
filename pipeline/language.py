"""Language identification of article text (ISO 639-1 codes) with py3langid's trained model.

py3langid (a maintained langid.py) knows 97 languages, Indonesian and Malay among them; it tells
them apart well on paragraphs, less so on a single short line, so short or unclear inputs get None
rather than a guess.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this many letters the model's answer is close to chance (a headline word, a name).
MIN_LETTERS = 20
# A normalised probability under this means the model itself is unsure (mixed or odd text).
MIN_CONFIDENCE = 0.30
# Long articles are identified from their beginning: the answer does not change, the cost does.
MAX_CHARS = 1000

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier():
    # Loading the model takes about a second: once per process, on first use.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text` ("id", "ms", "en", ...), or None when it is too short or unclear."""
    if not text:
        return None
    sample = text[:MAX_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    return str(language)
