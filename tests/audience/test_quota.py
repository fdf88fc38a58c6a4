"""The per-client bound on counted views (audience/quota.py)."""

from audience.quota import PerMinute


def test_a_client_gets_its_limit_each_minute_and_others_theirs():
    seconds = [600.0]
    quota = PerMinute(clock=lambda: seconds[0])

    first = [quota.take("203.0.113.7", 3) for _ in range(5)]
    other = quota.take("198.51.100.1", 3)
    seconds[0] += 59.0
    still = quota.take("203.0.113.7", 3)
    seconds[0] += 1.0  # the next minute
    next_minute = quota.take("203.0.113.7", 3)

    assert first == [True, True, True, False, False]
    assert other is True
    assert still is False
    assert next_minute is True


def test_past_its_clients_a_minute_new_ones_wait_for_the_next():
    seconds = [0.0]
    quota = PerMinute(clock=lambda: seconds[0], max_keys=2)

    assert quota.take("a", 10) and quota.take("b", 10)
    assert quota.take("c", 10) is False
    assert quota.take("a", 10) is True  # known ones go on
    seconds[0] += 60
    assert quota.take("c", 10) is True
