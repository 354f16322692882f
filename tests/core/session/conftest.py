"""The edit session most tests here start from: the tiny checkpoint and a Bandai punch open."""

from __future__ import annotations

import pytest

from core.session.edit_session import EditSession


@pytest.fixture
def session(punch_session) -> EditSession:
    return punch_session
