"""BackgroundJob: a generator function on a pool thread, reporting through signals, stoppable."""

from __future__ import annotations

import threading
import time

import pytest

from app.state.background_job import BackgroundJob
from core.errors import MotionFileError


def count_to(n: int, *, should_stop):
    """Yields 1..n, or fewer once asked to stop; returns how far it got and on which thread."""
    done = 0
    while done < n and not should_stop():
        done += 1
        yield done
        time.sleep(0.01)
    return done, threading.current_thread()


def fail_after_one(*, should_stop):
    yield 1
    raise MotionFileError("/clips/walk.bvh", "truncated")


@pytest.fixture
def job(qtbot):
    job = BackgroundJob(count_to)
    yield job
    job.shutdown()


def test_each_yielded_item_is_reported_in_order_then_the_return_value(job, qtbot):
    seen: list[int] = []
    job.progress.connect(seen.append)
    with qtbot.waitSignal(job.finished, timeout=10_000) as finished:
        job.start(5)
    assert seen == [1, 2, 3, 4, 5] and finished.args[0][0] == 5


def test_the_work_runs_off_the_gui_thread(job, qtbot):
    with qtbot.waitSignal(job.finished, timeout=10_000) as finished:
        job.start(1)
    assert finished.args[0][1] is not threading.main_thread()


def test_running_is_announced_when_the_work_starts_and_after_it_ends(job, qtbot):
    changes: list[bool] = []
    job.runningChanged.connect(changes.append)
    job.start(2)
    assert job.running and changes == [True]
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)
    assert changes == [True, False]


def test_stop_ends_the_work_at_its_next_poll_and_it_still_returns(job, qtbot):
    with qtbot.waitSignal(job.finished, timeout=10_000) as finished:
        with qtbot.waitSignal(job.progress, timeout=10_000):
            job.start(100_000)
        job.stop()
    assert finished.args[0][0] < 100_000


def test_a_failure_is_reported_in_the_shared_wording_and_the_job_ends(qtbot):
    job = BackgroundJob(fail_after_one)
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        job.start()
    assert failed.args == ["truncated\n\nFile: /clips/walk.bvh"]
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)


def test_a_second_start_while_running_is_refused(job, qtbot):
    job.start(100_000)
    with pytest.raises(RuntimeError, match="already running"):
        job.start(1)


def test_shutdown_stops_the_work_and_waits_for_it_to_end(job):
    job.start(100_000)
    assert job.shutdown(timeout_ms=10_000)


def test_shutdown_without_work_returns_at_once(job):
    assert job.shutdown(timeout_ms=0)
