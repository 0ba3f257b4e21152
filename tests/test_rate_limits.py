"""The throttling counts kept in the site's own database (database://), which every app
server process shares, used as the `limits` library uses them."""

import threading
import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

import models
from models.rate_limits import DatabaseStorage, RateLimitEntry
from web.limits import limiter


@pytest.fixture
def storage(app):
    with models.db.connection_context():
        yield storage_from_string("database://")


def test_the_site_counts_in_its_database_unless_told_otherwise(app):
    assert isinstance(limiter.storage, DatabaseStorage)


def test_a_moving_window_lets_its_amount_through_and_says_when_there_is_room(storage):
    counter = MovingWindowRateLimiter(storage)
    item = parse("3 per minute")
    assert [counter.hit(item, "login", "a") for _ in range(4)] == [True, True, True, False]
    stats = counter.get_window_stats(item, "login", "a")
    assert stats.remaining == 0 and 55 < stats.reset_time - time.time() <= 60
    assert counter.hit(item, "login", "b")  # another key has a count of its own
    counter.clear(item, "login", "a")
    assert counter.hit(item, "login", "a")


def test_a_fixed_window_counts_until_the_window_ends(storage):
    counter = FixedWindowRateLimiter(storage)
    item = parse("2 per hour")
    assert [counter.hit(item, "form", "a") for _ in range(3)] == [True, True, False]
    stats = counter.get_window_stats(item, "form", "a")
    assert stats.remaining == 0 and 3590 < stats.reset_time - time.time() <= 3600
    assert storage.reset() == 3
    assert counter.hit(item, "form", "a")


def test_many_at_once_get_exactly_the_amount_between_them(app):
    item = parse("10 per minute")
    start = threading.Barrier(6)
    allowed = []

    def try_three_times():
        with models.db.connection_context():
            counter = MovingWindowRateLimiter(storage_from_string("database://"))
            start.wait()
            allowed.extend(counter.hit(item, "contact", "a") for _ in range(3))

    threads = [threading.Thread(target=try_three_times) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 8 + [True] * 10


def test_counts_leave_the_table_when_their_window_passes(storage):
    """No address or e-mail stays in the table past its window, nor is kept readable."""
    counter = MovingWindowRateLimiter(storage)
    counter.hit(parse("5 per minute"), "login-address", "198.51.100.7")
    RateLimitEntry.create(key_hash="0" * 64, expires_at=time.time() - 1)
    assert storage.sweep(time.time()) == 1
    [kept] = RateLimitEntry.select()
    assert "198.51.100.7" not in kept.key_hash and len(kept.key_hash) == 64
