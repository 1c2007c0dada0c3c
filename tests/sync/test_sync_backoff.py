from __future__ import annotations

import random

import pytest

from kiosk.sync.backoff import Backoff


def test_full_jitter_is_uniform_under_a_doubling_capped_ceiling():
    backoff = Backoff(base_s=0.5, cap_s=30.0, rng=random.Random(7))
    reference = random.Random(7)
    ceilings = []
    for _ in range(12):
        ceilings.append(backoff.ceiling())
        expected = reference.uniform(0.0, ceilings[-1])
        assert backoff.failed() == expected
    assert ceilings[:7] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert set(ceilings[6:]) == {30.0}


def test_same_seed_same_delays_and_success_resets():
    a, b = Backoff(rng=random.Random(1)), Backoff(rng=random.Random(1))
    assert [a.failed() for _ in range(6)] == [b.failed() for _ in range(6)]
    a.succeeded()
    assert a.failures == 0 and a.ceiling() == 0.5


def test_delays_stay_within_the_ceiling_and_spread_out():
    backoff = Backoff(base_s=0.5, cap_s=4.0, rng=random.Random(3))
    for _ in range(5):
        backoff.failed()
    delays = [backoff.failed() for _ in range(2000)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    # Full jitter: the mean is half the cap, not the cap (which lock-step retries would give).
    assert 1.8 < sum(delays) / len(delays) < 2.2


def test_many_failures_do_not_overflow():
    backoff = Backoff(rng=random.Random(0))
    backoff.failures = 10_000
    assert 0.0 <= backoff.failed() <= 30.0


@pytest.mark.parametrize(("base", "cap"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 5.0)])
def test_bad_parameters_are_refused(base, cap):
    with pytest.raises(ValueError, match="base_s"):
        Backoff(base_s=base, cap_s=cap)
