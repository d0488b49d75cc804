"""The photo store behind shared links: bounded by bytes, oldest out first, expiring, keyed by a secret hash."""

from __future__ import annotations

import hashlib
import threading

import pytest

from explorer.photo_store import PhotoStore, store_from_environment


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def photo(number: int, size: int = 100) -> bytes:
    return bytes([number % 256]) * size


def test_a_token_finds_its_photo_and_nothing_else():
    store = PhotoStore()
    token = store.put(photo(1))
    assert store.get(token) == photo(1)
    assert store.get(store.token(photo(2))) is None
    assert store.get("not a token") is None and store.get(token.upper()) is None


def test_the_token_is_an_hmac_under_a_per_store_secret_not_the_plain_hash():
    first, second = PhotoStore(), PhotoStore()
    data = photo(7)
    assert len(first.token(data)) == 64
    assert first.token(data) != hashlib.sha256(data).hexdigest()
    assert first.token(data) != second.token(data)
    assert second.get(first.put(data)) is None


def test_the_oldest_photos_go_first_when_the_bytes_run_out():
    clock = Clock()
    store = PhotoStore(max_bytes=300, clock=clock)
    tokens = []
    for number in range(4):
        tokens.append(store.put(photo(number)))
        clock.now += 1
    assert [store.get(token) is not None for token in tokens] == [False, True, True, True]
    assert store.total_bytes == 300


def test_putting_a_photo_again_makes_it_the_newest():
    clock = Clock()
    store = PhotoStore(max_bytes=200, clock=clock)
    first = store.put(photo(1))
    clock.now += 1
    second = store.put(photo(2))
    clock.now += 1
    store.put(photo(1))
    third = store.put(photo(3))
    assert store.get(first) is not None and store.get(second) is None and store.get(third) is not None
    assert store.total_bytes == 200


def test_a_photo_larger_than_the_store_is_not_kept():
    store = PhotoStore(max_bytes=50)
    kept = store.put(photo(1, 40))
    assert store.get(store.put(photo(2, 51))) is None
    assert store.get(kept) is not None and store.total_bytes == 40


def test_photos_expire_after_their_lifetime():
    clock = Clock()
    store = PhotoStore(lifetime_s=3600, clock=clock)
    old = store.put(photo(1))
    clock.now = 2800
    young = store.put(photo(2))
    for now, kept in [(4599, (True, True)), (4600, (False, True)), (6399, (False, True)), (6400, (False, False))]:
        clock.now = now
        assert (store.get(old) is not None, store.get(young) is not None) == kept, now
    assert store.total_bytes == 0


def test_many_threads_share_one_store_within_its_bound():
    store = PhotoStore(max_bytes=1000)

    def upload(start: int) -> None:
        for number in range(start, start + 50):
            assert store.get(store.put(photo(number, 30))) in (photo(number, 30), None)

    threads = [threading.Thread(target=upload, args=(start,)) for start in range(0, 400, 50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 0 < store.total_bytes <= 1000


@pytest.mark.parametrize(("megabytes", "hours", "expected"), [("1", "2", (2**20, 7200.0)), ("x", "-1", None)])
def test_the_store_is_sized_from_the_environment(monkeypatch, megabytes, hours, expected):
    monkeypatch.setenv("EXPLORER_PHOTO_STORE_MB", megabytes)
    monkeypatch.setenv("EXPLORER_PHOTO_STORE_HOURS", hours)
    store = store_from_environment()
    assert (store.max_bytes, store.lifetime_s) == (expected or (100 * 2**20, 6 * 3600.0))
