"""The places map: valid SVG, every place with coordinates, links to entries, escaping, determinism."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path

import yaml

from edition.svgmap import MapPlace, MapRoute, draw_map

NS = {"svg": "http://www.w3.org/2000/svg"}
PLACES = [MapPlace("tashkent", "Tashkent", 41.30, 69.24), MapPlace("korgantobe", "Korgantobe", 37.84, 68.78),
          MapPlace("stalinabad", "Stalinabad", 38.56, 68.79), MapPlace("odd", 'A <b>&"quoted"</b> name', 40.0, 66.0)]
ROUTES = [MapRoute("Tashkent → Korgantobe", ("tashkent", "korgantobe")),
          MapRoute("not drawn: an unknown place", ("tashkent", "nowhere"))]


def _svg_of(html: str) -> etree.Element:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no inline SVG on the page"
    return etree.fromstring(match.group(0))


def _links(svg: etree.Element) -> dict[str, etree.Element]:
    return {a.get("href")[1:]: a for a in svg.iterfind(".//svg:a", NS)}


def test_map_is_valid_svg_with_a_title_and_description():
    svg = etree.fromstring(draw_map(PLACES, ROUTES, "Places & routes", "Four places <test>."))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    # a labelled group rather than role="img", whose content would hide the place links
    assert svg.get("role") == "group"
    assert (svg.get("aria-labelledby"), svg.get("aria-describedby")) == ("map-title", "map-desc")
    assert svg.find("svg:title", NS).text == "Places & routes"
    assert svg.find("svg:desc", NS).text == "Four places <test>."
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for circle in svg.iterfind(".//svg:circle", NS):
        assert 0 <= float(circle.get("cx")) <= width and 0 <= float(circle.get("cy")) <= height


def test_every_place_is_a_circle_and_an_escaped_label_linking_to_its_entry():
    svg = etree.fromstring(draw_map(PLACES, ROUTES, "t", "d"))
    links = _links(svg)
    assert sorted(links) == sorted(p.key for p in PLACES)
    for place in PLACES:
        link = links[place.key]
        assert link.find("svg:circle", NS) is not None
        assert link.find("svg:text", NS).text == place.label  # survived escaping intact


def test_projection_keeps_north_up_and_east_right():
    svg = etree.fromstring(draw_map(PLACES, [], "t", "d"))
    circles = {key: link.find("svg:circle", NS) for key, link in _links(svg).items()}
    x = {key: float(c.get("cx")) for key, c in circles.items()}
    y = {key: float(c.get("cy")) for key, c in circles.items()}
    assert y["tashkent"] < y["stalinabad"] < y["korgantobe"]  # north is up
    assert x["odd"] < x["korgantobe"] < x["tashkent"]  # east is right


def test_routes_are_drawn_only_through_known_places():
    svg = etree.fromstring(draw_map(PLACES, ROUTES, "t", "d"))
    paths = list(svg.iterfind(".//svg:g[@class='map-routes']/svg:path", NS))
    assert [p.find("svg:title", NS).text for p in paths] == ["Tashkent → Korgantobe"]
    assert paths[0].get("marker-end") == "url(#map-arrow)"


def test_output_is_deterministic_with_fixed_precision():
    first = draw_map(PLACES, ROUTES, "t", "d")
    assert first == draw_map(list(reversed(PLACES)), ROUTES, "t", "d")
    numbers = re.findall(r'(?:cx|cy|x|y|x1|y1|x2|y2|r)="(-?[\d.]+)"', first)
    assert numbers and all(re.fullmatch(r"-?\d+\.\d", n) for n in numbers)


def test_no_places_no_map():
    assert draw_map([], [], "t", "d") == ""


def test_a_single_place_still_fits():
    svg = etree.fromstring(draw_map([MapPlace("only", "Only", 43.3, 68.25)], [], "t", "d"))
    assert len(_links(svg)) == 1


def test_showcase_places_page_maps_every_place_with_coordinates(built_showcase: Path):
    register = yaml.safe_load((built_showcase / "content/registers/places.yml").read_text(encoding="utf-8"))
    html = (built_showcase / "site/places/index.html").read_text(encoding="utf-8")
    svg = _svg_of(html)
    links = _links(svg)
    with_coordinates = {p["key"] for p in register["places"] if p.get("coordinates")}
    assert set(links) == with_coordinates
    for key in links:
        assert f'<li id="{key}">' in html, "each map link lands on its register entry"
    routes = list(svg.iterfind(".//svg:g[@class='map-routes']/svg:path", NS))
    assert len(routes) == len(register["routes"]) >= 3
    assert "Editorial reconstruction" in html and "editorial reconstruction" in svg.find("svg:title", NS).text
