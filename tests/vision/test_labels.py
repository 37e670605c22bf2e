"""Label parser and box matching (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vision import Box, LabelError, TargetClass, boxes_match, parse_labels

HEADER = "frame_index_0based,present,x,y,w,h,class,distance_bin\n"
coord = st.floats(min_value=0, max_value=600, allow_nan=False)
side = st.floats(min_value=1, max_value=120, allow_nan=False)


@given(st.lists(st.one_of(st.none(), st.tuples(coord, coord, side, side)), min_size=1,
                max_size=30))
def test_rows_round_trip_with_one_based_corner(rows: list) -> None:
    lines = [f"{i},0,,,,,DRONE,CLOSE" if r is None else
             f"{i},1,{r[0]!r},{r[1]!r},{r[2]!r},{r[3]!r},DRONE,CLOSE" for i, r in enumerate(rows)]
    labels = parse_labels(HEADER + "\n".join(lines))
    assert labels.target is TargetClass.DRONE
    assert list(labels.labelled_frames) == list(range(len(rows)))
    for i, r in enumerate(rows):
        box = labels.boxes[i]
        if r is None:
            assert box is None
        else:
            assert box == Box(r[0] - 1, r[1] - 1, r[2], r[3])


@pytest.mark.parametrize("text", [
    "nonsense\n1,2,3",
    HEADER + "0,1,1,1,0,5,DRONE,CLOSE",
    HEADER + "0,1,x,1,5,5,DRONE,CLOSE",
    HEADER + "0,2,1,1,5,5,DRONE,CLOSE",
    HEADER + "0,0,,,,,DRONE,CLOSE\n0,0,,,,,DRONE,CLOSE",
    HEADER + "0,0,,,,,DRONE,CLOSE\n1,0,,,,,BIRD,CLOSE",
    HEADER + "0,0,,,,,UFO,CLOSE",
    HEADER + "0,1,1,1,5,DRONE,CLOSE",
    HEADER,
])
def test_malformed_files_are_refused(text: str) -> None:
    with pytest.raises(LabelError):
        parse_labels(text)


def test_alignment_tolerance_is_one_frame() -> None:
    labels = parse_labels(HEADER + "0,0,,,,,DRONE,CLOSE\n1,1,11,11,20,20,DRONE,CLOSE\n"
                          "2,0,,,,,DRONE,CLOSE\n3,0,,,,,DRONE,CLOSE")
    assert labels.boxes_near(0) == labels.boxes_near(2) == [Box(10, 10, 20, 20)]
    assert labels.boxes_near(3) == []


@given(st.tuples(coord, coord, side, side), st.tuples(coord, coord, side, side))
def test_matching_is_consistent(a: tuple, b: tuple) -> None:
    la, lb = Box(*a), Box(*b)
    assert boxes_match(la, la)
    if la.iou(lb) >= 0.25:
        assert boxes_match(la, lb) and boxes_match(lb, la)
    far = Box(la.x + 10 * max(la.w, la.h) + 20, la.y, la.w, la.h)
    assert not boxes_match(far, la)


@given(st.tuples(coord, coord, side, side), st.floats(min_value=0, max_value=1))
def test_centre_inside_tolerance_matches(label: tuple, frac: float) -> None:
    lb = Box(*label)
    limit = max(8.0, 0.5 * max(lb.w, lb.h))
    shifted = Box(lb.x + frac * limit * 0.99, lb.y, 3.0, 3.0)
    centred = Box(shifted.x + lb.w / 2 - 1.5, lb.y + lb.h / 2 - 1.5, 3.0, 3.0)
    assert boxes_match(centred, lb)
