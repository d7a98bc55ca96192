"""Generate web/static/indonesia-outline.json: a compact outline of Indonesia for the dashboard's map.

Source: the npm package `world-atlas` (ISC licence), which redistributes Natural Earth's 1:50m country
shapes (public domain) as TopoJSON. Run once, offline after the download, and commit the small output:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m web.tools.make_outline /tmp/package/countries-50m.json

The dashboard never fetches map data at run time.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

INDONESIA_ISO_NUMERIC = "360"
OUTPUT = Path(__file__).resolve().parents[1] / "static" / "indonesia-outline.json"
ATTRIBUTION = (
    "Outline of Indonesia simplified from Natural Earth 1:50m Admin 0 countries (public domain, "
    "naturalearthdata.com) as redistributed in the npm package world-atlas 2.0.2 (ISC licence, "
    "Copyright 2013-2019 Michael Bostock)."
)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc of a quantized TopoJSON topology (delta-encoded)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring from its arc indices; ~i is arc i reversed; shared end points appear once."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: drop points closer than `tolerance` degrees to the simplified line."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def indonesia_rings(topology: dict, tolerance: float, min_area: float) -> list[list[list[float]]]:
    arcs = decode_arcs(topology)
    geometry = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == INDONESIA_ISO_NUMERIC)
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = []
    for polygon in polygons:
        outer = ring_points(polygon[0], arcs)  # islands only: lakes are invisible at this scale
        if area(outer) < min_area:
            continue
        simplified = simplify(outer, tolerance)
        if len(simplified) >= 4:
            rings.append([[round(x, 2), round(y, 2)] for x, y in simplified])
    return rings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_topojson", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("--tolerance", type=float, default=0.03, help="simplification, degrees")
    parser.add_argument("--min-area", type=float, default=0.004, help="drop islands smaller than this (square degrees)")
    args = parser.parse_args()
    topology = json.loads(args.countries_topojson.read_text(encoding="utf-8"))
    rings = indonesia_rings(topology, args.tolerance, args.min_area)
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    outline = {"name": "Indonesia", "attribution": ATTRIBUTION, "bbox": [min(xs), min(ys), max(xs), max(ys)], "rings": rings}
    OUTPUT.write_text(json.dumps(outline, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {len(rings)} islands, {sum(map(len, rings))} points, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
