"""Readers get garbage and mutated real files: they load or raise PlanFormatError, nothing else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import missions as m

DATA = Path(__file__).parent / "data"
PLAN = json.loads((DATA / "qgc_survey.plan").read_text())
WPL = (DATA / "mission_planner.waypoints").read_text()
KML = (DATA / "google_earth_route.kml").read_text()
GEOJSON = json.loads((DATA / "map_app_route.geojson").read_text())

READERS = [m.read_plan, m.read_wpl, m.read_geojson_route, m.read_kml_route]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=8) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20)


def _loads(reader: Any, data: str | bytes) -> None:
    try:
        result = reader(data)
    except m.PlanFormatError as exc:
        assert exc.where and exc.problem
        return
    assert isinstance(result, m.PlanDocument | m.RouteFile)


@given(st.binary(max_size=400))
@settings(max_examples=150, deadline=None)
def test_random_bytes(data: bytes) -> None:
    for reader in READERS:
        _loads(reader, data)


@given(st.text(max_size=400))
@settings(max_examples=150, deadline=None)
def test_random_text(text: str) -> None:
    for reader in READERS:
        _loads(reader, text)
        _loads(reader, "QGC WPL 110\n" + text)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PLAN_PATHS = _paths(PLAN)[1:]
GEOJSON_PATHS = _paths(GEOJSON)[1:]


def _mutate(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@given(st.lists(st.tuples(st.sampled_from(PLAN_PATHS), json_values, st.booleans()), min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_mutated_qgc_plans(mutations: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    doc: Any = PLAN
    for path, value, delete in mutations:
        try:
            doc = _mutate(doc, path, value, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    _loads(m.read_plan, json.dumps(doc))


@given(st.sampled_from(GEOJSON_PATHS), json_values, st.booleans())
@settings(max_examples=200, deadline=None)
def test_mutated_geojson_routes(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    _loads(m.read_geojson_route, json.dumps(_mutate(GEOJSON, path, value, delete)))


@given(st.integers(1, 9), st.integers(0, 11),
       st.sampled_from(["", "x", "nan", "inf", "-1", "1e309", "3.5", "999999", "0", "\t", "177"]))
@settings(max_examples=300, deadline=None)
def test_mutated_wpl_fields(line: int, field: int, value: str) -> None:
    lines = WPL.splitlines()
    if line < len(lines):
        parts = lines[line].split("\t")
        parts[field] = value
        lines[line] = "\t".join(parts)
    _loads(m.read_wpl, "\n".join(lines))


@given(st.integers(0, len(KML) - 1), st.integers(0, 40), st.text(max_size=10))
@settings(max_examples=300, deadline=None)
def test_mutated_kml(start: int, length: int, insert: str) -> None:
    _loads(m.read_kml_route, KML[:start] + insert + KML[start + length:])
