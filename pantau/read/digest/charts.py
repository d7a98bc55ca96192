"""The digest's charts as PNG bytes, drawn offline with matplotlib's Agg canvas (no display, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pantau.read.digest.data import PlaceCount, WeekCount

# Drawn at twice the displayed size so they stay sharp on high-density screens.
DISPLAY_WIDTH_PX = 560
_DPI = 200
_INK = "#1f2933"
_MUTED = "#7b8794"
_BAR = "#9fb3c8"
_ACCENT = "#1769aa"
_SPIKE = "#c2410c"


def _figure(height_px: int):  # noqa: ANN202
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy: matplotlib (~0.5 s); only drawing a chart needs it, not building or sending a digest's data

    width_in = DISPLAY_WIDTH_PX * 2 / _DPI
    figure = Figure(figsize=(width_in, height_px * 2 / _DPI), dpi=_DPI, facecolor="white")
    axes = figure.subplots()
    axes.set_facecolor("white")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(_MUTED)
    axes.tick_params(colors=_INK, labelsize=7)
    return figure, axes


def _png(figure) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    # No "Software" entry: the same digest gives the same bytes whatever matplotlib version drew it.
    figure.savefig(buffer, format="png", metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def _plain_labels(labels) -> None:  # noqa: ANN001
    # Names come from data: a "$" must not switch matplotlib into math mode.
    for label in labels:
        label.set_parse_math(False)


def coverage_chart(history: Sequence[WeekCount], trailing_average: float, spike: bool, axis_label: str = "articles") -> bytes:
    """Articles per week, this week highlighted, the trailing average as a dashed line."""
    figure, axes = _figure(170)
    labels = [entry.week.split("-", 1)[1] for entry in history]
    counts = [entry.articles for entry in history]
    colours = [_BAR] * len(counts)
    colours[-1] = _SPIKE if spike else _ACCENT
    positions = list(range(len(counts)))
    axes.bar(positions, counts, color=colours, width=0.65)
    axes.axhline(trailing_average, color=_MUTED, linestyle="--", linewidth=0.8)
    for position, count in zip(positions, counts, strict=True):
        axes.annotate(str(count), (position, count), xytext=(0, 2), textcoords="offset points",
                      ha="center", va="bottom", fontsize=7, color=_INK)
    axes.set_xticks(positions, labels)
    axes.set_ylim(0, max(max(counts, default=0), trailing_average, 1) * 1.25)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel(axis_label, fontsize=7, color=_INK)
    figure.tight_layout(pad=0.4)
    return _png(figure)


def places_chart(places: Sequence[PlaceCount], axis_label: str = "articles") -> bytes:
    """Places by the number of articles naming them, the most named on top."""
    shown = list(places)[::-1]
    figure, axes = _figure(40 + 18 * max(len(shown), 1))
    positions = list(range(len(shown)))
    axes.barh(positions, [place.articles for place in shown], color=_ACCENT, height=0.6)
    axes.set_yticks(positions, [place.name for place in shown])
    _plain_labels(axes.get_yticklabels())
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(axis_label, fontsize=7, color=_INK)
    figure.tight_layout(pad=0.4)
    return _png(figure)
