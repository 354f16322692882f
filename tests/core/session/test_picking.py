"""Picking the joint under the pointer: projection through the camera, nothing behind it."""

from __future__ import annotations

import numpy as np

from core.session.picking import nearest_point, project


def test_a_point_on_the_camera_axis_projects_to_the_centre_of_the_view():
    mvp = np.eye(4)
    mvp[3] = [0, 0, -1, 0]  # perspective divide by depth along -z
    screen = project(np.array([[0.0, 0.0, -2.0], [1.0, 1.0, -1.0]]), mvp, 200, 100)
    np.testing.assert_allclose(screen, [[100.0, 50.0], [200.0, 0.0]])


def test_points_behind_the_camera_are_never_picked():
    mvp = np.eye(4)
    mvp[3] = [0, 0, -1, 0]
    screen = project(np.array([[0.0, 0.0, 2.0]]), mvp, 200, 100)
    assert np.isnan(screen).all() and nearest_point(screen, 100, 50, 1000) is None


def test_the_nearest_point_within_the_radius_is_picked():
    screen = np.array([[10.0, 10.0], [30.0, 10.0], [31.0, 14.0]])
    assert nearest_point(screen, 29, 11, 5) == 1
    assert nearest_point(screen, 60, 60, 5) is None
