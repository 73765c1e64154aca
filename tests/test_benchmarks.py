"""The benchmarks' own arithmetic (their timings are measured, never asserted)."""

from benchmarks.babi_epochs import wall_time


def test_wall_time_hands_each_run_to_the_first_free_worker():
    assert wall_time([3, 1, 1, 1, 2], workers=3) == 3  # 3 | 1+1 | 1+2
    assert wall_time([1, 1, 1, 1, 3], workers=2) == 5  # 1+1+3 | 1+1: the long run last
    assert wall_time([3, 1, 1, 1, 1], workers=2) == 4  # 3+1 | 1+1+1
    assert wall_time([2, 2], workers=5) == 2
    assert wall_time([], workers=4) == 0.0
