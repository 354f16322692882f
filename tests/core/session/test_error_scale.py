"""The joint-error colour scale: chosen once per reconstruction from round bounds, kept across layer\ncounts, and kept across clips once the user locked it."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.metrics import nice_scale_mm
from core.session.error_scale import ErrorScale, default_scale_mm
from core.session.updates import Changed

WALK = "bandai/dataset-1/dataset-1_walk_normal_001.bvh"


def test_the_nice_scale_is_the_round_bound_above_the_95th_percentile():
    errors = np.full(100, 0.040)
    errors[:4] = 2.0  # a few outliers do not stretch the scale
    assert nice_scale_mm(errors) == 50.0


def test_a_reconstruction_starts_with_the_scale_of_its_one_layer_errors(session):
    assert session.error_scale.scale_mm == default_scale_mm(session.reconstruction, session.layers_used)
    assert not session.error_scale.locked


def test_the_scale_does_not_follow_the_number_of_layers(session):
    before = session.error_scale.scale_mm
    for k in (1, 2, 3):
        update = session.set_layers_used(k)
        assert Changed.ERROR_SCALE not in update.changed
    assert session.error_scale.scale_mm == before


def test_an_unlocked_scale_is_chosen_again_for_another_clip(session, data_dir):
    session.set_error_scale(scale_mm=7.0)
    update = session.open_clip(data_dir / WALK)
    assert Changed.ERROR_SCALE in update.changed
    assert session.error_scale.scale_mm == default_scale_mm(session.reconstruction, session.layers_used)


def test_a_locked_scale_is_kept_for_another_clip(session, data_dir):
    update = session.set_error_scale(scale_mm=42.0, locked=True)
    assert update.changed == Changed.ERROR_SCALE
    session.open_clip(data_dir / WALK)
    assert (session.error_scale.scale_mm, session.error_scale.locked) == (42.0, True)


def test_setting_the_same_scale_changes_nothing_and_a_scale_must_be_positive():
    scale = ErrorScale(100.0)
    assert not scale.set(scale_mm=100.0)
    with pytest.raises(ValueError, match="above 0"):
        scale.set(scale_mm=0.0)


def test_errors_are_read_as_a_clipped_fraction_of_the_scale():
    np.testing.assert_allclose(ErrorScale(200.0).fraction(np.array([0.0, 0.1, 0.5])), [0.0, 0.5, 1.0])
