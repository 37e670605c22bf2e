"""The outline descriptor: which way the target's edges run, whatever its shade."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision._orientation import BINS, N_ORIENTATION, orientation_histograms


def _sky_with_bar(width: int, height: int, shade: int) -> np.ndarray:
    """A 120×120 sky of grey 128 with a centred bar ``width`` × ``height`` of ``shade``."""
    sky = np.full((120, 120), 128, dtype=np.uint8)
    sky[60 - height // 2:60 + (height + 1) // 2, 60 - width // 2:60 + (width + 1) // 2] = shade
    return sky


def _share_near(descriptor: np.ndarray, degrees: float) -> float:
    """Share of the descriptor's weight in the bins within 20° of ``degrees`` (bin b is
    centred on b × 20°, unsigned)."""
    totals = descriptor.reshape(-1, BINS).sum(axis=0)
    centres = np.arange(BINS) * 180.0 / BINS
    gap = np.abs((centres - degrees + 90.0) % 180.0 - 90.0)
    return float(totals[gap < 20.0].sum() / totals.sum())


def test_a_wing_and_a_mast_point_their_edges_at_right_angles() -> None:
    wing = orientation_histograms(_sky_with_bar(24, 4, 40), 60, 60, 24)
    mast = orientation_histograms(_sky_with_bar(4, 24, 40), 60, 60, 24)
    assert wing.shape == (N_ORIENTATION,) and wing.dtype == np.float32
    # A horizontal bar's long edges have vertical gradients (90°), a vertical bar's
    # horizontal ones (0°, the same direction as 180° unsigned).
    assert _share_near(wing, 90.0) > 0.6 and _share_near(wing, 0.0) < 0.3
    assert _share_near(mast, 0.0) > 0.6 and _share_near(mast, 90.0) < 0.3


def test_plain_sky_gives_no_outline() -> None:
    sky = np.full((80, 80), 200, dtype=np.uint8)
    assert np.allclose(orientation_histograms(sky, 40, 40, 12), 0.0)


@settings(max_examples=40, deadline=None)
@given(shade=st.integers(0, 100), width=st.integers(3, 30), height=st.integers(3, 30),
       gain=st.floats(0.5, 1.5), offset=st.integers(-40, 40))
def test_neither_polarity_nor_exposure_changes_the_outline(
        shade: int, width: int, height: int, gain: float, offset: int) -> None:
    dark = _sky_with_bar(width, height, shade).astype(np.float32)
    bright = 255.0 - dark
    exposed = np.clip(dark * gain + offset, 0, 255)
    size = max(width, height)
    reference = orientation_histograms(dark, 60, 60, size)
    assert np.allclose(orientation_histograms(bright, 60, 60, size), reference, atol=1e-5)
    # A changed exposure only moves the 1e-3 regulariser of the block norms a little.
    assert np.allclose(orientation_histograms(exposed, 60, 60, size), reference, atol=0.02)


def test_a_target_at_the_frame_edge_is_described_from_the_replicated_border() -> None:
    sky = _sky_with_bar(24, 4, 40)
    out = orientation_histograms(sky, 2, 2, 40)
    assert out.shape == (N_ORIENTATION,) and np.isfinite(out).all()


@pytest.mark.parametrize("size", [1.0, 500.0])
def test_tiny_and_huge_candidates_use_the_clamped_patch(size: float) -> None:
    sky = _sky_with_bar(24, 4, 40)
    assert np.isfinite(orientation_histograms(sky, 60, 60, size)).all()
