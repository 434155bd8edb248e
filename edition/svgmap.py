"""A static map of the places register, drawn by the build as SVG.

No tiles, no network, no JavaScript: an equirectangular projection fitted
to the places' bounding box (longitudes scaled by the cosine of the middle
latitude, so shapes are not stretched), a light graticule for orientation,
each place a circle and a label linking to its register entry, and the
routes as arrowed lines.  It is a labelled group (title and description)
rather than one image, so that assistive technology keeps the place links;
the graticule and the route lines, told in the description, are hidden
from it.  The SVG is built with ElementTree so every name
is escaped, and all numbers are written with fixed precision so the same
registers give the same bytes.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as etree
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 720.0
MARGIN = 48.0
FONT_SIZE = 12.0
CHAR_WIDTH = 0.6 * FONT_SIZE
"""Estimated advance of one character, for keeping labels apart."""
RADIUS = 4.0
INK, ROUTE, GRID, PAPER = "#1b1b1b", "#b35900", "#d8d4c8", "#fdfcf8"


@dataclass(frozen=True)
class MapPlace:
    key: str
    label: str
    lat: float
    lon: float


@dataclass(frozen=True)
class MapRoute:
    name: str
    keys: tuple[str, ...]


def _f(value: float) -> str:
    """Fixed precision, and never ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


class _Projection:
    """Equirectangular, fitted to the bounding box with a margin."""

    def __init__(self, places: list[MapPlace]):
        lats = [p.lat for p in places]
        lons = [p.lon for p in places]
        pad_lat = max((max(lats) - min(lats)) * 0.08, 0.5)
        pad_lon = max((max(lons) - min(lons)) * 0.08, 0.5)
        self.south, self.north = min(lats) - pad_lat, max(lats) + pad_lat
        self.west, self.east = min(lons) - pad_lon, max(lons) + pad_lon
        self.kx = math.cos(math.radians((self.south + self.north) / 2))
        self.scale = (WIDTH - 2 * MARGIN) / ((self.east - self.west) * self.kx)
        self.height = (self.north - self.south) * self.scale + 2 * MARGIN

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return (MARGIN + (lon - self.west) * self.kx * self.scale,
                MARGIN + (self.north - lat) * self.scale)


def _sub(parent: etree.Element, tag: str, **attributes: str) -> etree.Element:
    return etree.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()})


def _graticule(svg: etree.Element, project: _Projection) -> None:
    grid = _sub(svg, "g", class_="map-graticule", aria_hidden="true", stroke=GRID, stroke_width="1", fill=INK,
                font_size=_f(FONT_SIZE - 2))
    step = 2 if max(project.north - project.south, project.east - project.west) > 6 else 1
    for lat in range(math.ceil(project.south / step) * step, math.floor(project.north) + 1, step):
        _, y = project(lat, project.west)
        _sub(grid, "line", x1=_f(MARGIN), y1=_f(y), x2=_f(WIDTH - MARGIN), y2=_f(y))
        _sub(grid, "text", x=_f(4), y=_f(y + 4), stroke="none").text = f"{lat}°N"
    for lon in range(math.ceil(project.west / step) * step, math.floor(project.east) + 1, step):
        x, _ = project(project.south, lon)
        _sub(grid, "line", x1=_f(x), y1=_f(MARGIN), x2=_f(x), y2=_f(project.height - MARGIN))
        _sub(grid, "text", x=_f(x), y=_f(project.height - MARGIN + 16), stroke="none",
             text_anchor="middle").text = f"{lon}°E"


def _overlaps(box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]]) -> bool:
    x1, y1, x2, y2 = box
    return any(x1 < b2 and b1 < x2 and y1 < c2 and c1 < y2 for b1, c1, b2, c2 in boxes)


def _label_position(x: float, y: float, label: str, taken: list[tuple[float, float, float, float]],
                    height: float) -> tuple[float, float, str]:
    """Right, left, above or below the point: the first place where the label hits nothing."""
    width = len(label) * CHAR_WIDTH
    gap = RADIUS + 3
    candidates = [
        (x + gap, y + FONT_SIZE / 3, "start", (x + gap, y - FONT_SIZE / 2, x + gap + width, y + FONT_SIZE / 2)),
        (x - gap, y + FONT_SIZE / 3, "end", (x - gap - width, y - FONT_SIZE / 2, x - gap, y + FONT_SIZE / 2)),
        (x, y - gap - 2, "middle", (x - width / 2, y - gap - FONT_SIZE, x + width / 2, y - gap)),
        (x, y + gap + FONT_SIZE, "middle", (x - width / 2, y + gap, x + width / 2, y + gap + FONT_SIZE)),
    ]
    for lx, ly, anchor, box in candidates:
        inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= height
        if inside and not _overlaps(box, taken):
            taken.append(box)
            return lx, ly, anchor
    lx, ly, anchor, box = candidates[0] if x + gap + width <= WIDTH else candidates[1]
    taken.append(box)
    return lx, ly, anchor


def _short_of(start: tuple[float, float], end: tuple[float, float], by: float) -> tuple[float, float]:
    """``end`` moved ``by`` towards ``start`` (unchanged when the two nearly coincide)."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length <= 2 * by:
        return end
    return end[0] - dx * by / length, end[1] - dy * by / length


def draw_map(places: list[MapPlace], routes: list[MapRoute], title: str, description: str) -> str:
    """The map as an ``<svg>`` element for inline use; empty when no place has coordinates."""
    if not places:
        return ""
    places = sorted(places, key=lambda p: (-p.lat, p.lon, p.key))
    project = _Projection(places)
    # A group, not role="img": an image's content is presentational, and the place links must stay links.
    svg = etree.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {_f(WIDTH)} {_f(project.height)}", "width": _f(WIDTH),
        "height": _f(project.height), "role": "group", "aria-labelledby": "map-title",
        "aria-describedby": "map-desc", "class": "register-map-image", "style": "max-width: 100%; height: auto",
        "font-family": "system-ui, sans-serif"})
    _sub(svg, "title", id="map-title").text = title
    _sub(svg, "desc", id="map-desc").text = description
    marker = _sub(_sub(svg, "defs"), "marker", id="map-arrow", viewBox="0 0 10 10", refX="9", refY="5",
                  markerWidth="5", markerHeight="5", orient="auto")
    _sub(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill=ROUTE)
    _sub(svg, "rect", x=_f(0), y=_f(0), width=_f(WIDTH), height=_f(project.height), fill=PAPER)
    _graticule(svg, project)
    points = {p.key: project(p.lat, p.lon) for p in places}
    # The routes are told in the description and listed on the page; the lines repeat them.
    lines = _sub(svg, "g", class_="map-routes", aria_hidden="true", fill="none", stroke=ROUTE, stroke_width="2",
                 stroke_dasharray="7 4", stroke_linejoin="round")
    for route in routes:
        if all(key in points for key in route.keys):
            path = [points[k] for k in route.keys]
            path[-1] = _short_of(path[-2], path[-1], RADIUS + 1.5)  # the arrow stops at the circle
            d = " ".join(f"{'M' if i == 0 else 'L'} {_f(x)} {_f(y)}" for i, (x, y) in enumerate(path))
            _sub(_sub(lines, "path", d=d, marker_end="url(#map-arrow)"), "title").text = route.name
    marks = _sub(svg, "g", class_="map-places", font_size=_f(FONT_SIZE), fill=INK)
    taken = [(x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS) for x, y in points.values()]
    for place in places:
        x, y = points[place.key]
        link = _sub(marks, "a", href=f"#{place.key}")
        _sub(link, "circle", cx=_f(x), cy=_f(y), r=_f(RADIUS), fill=INK, stroke=PAPER, stroke_width="1.5")
        lx, ly, anchor = _label_position(x, y, place.label, taken, project.height)
        label = _sub(link, "text", x=_f(lx), y=_f(ly), text_anchor=anchor, stroke=PAPER, stroke_width="3",
                     paint_order="stroke")
        label.text = place.label
    return etree.tostring(svg, encoding="unicode")
