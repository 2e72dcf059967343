"""Flask-Limiter on the real Redis: counts live outside the process, so every
worker and every host sees the same numbers."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import limiter
from tests.production_support import delete_keys, free_port, redis_uri, require_redis

WRONG = {"email": "nikt@example.org", "password": "to nie jest hasło"}


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its keys are deleted afterwards."""
    client = require_redis()
    prefix = f"odkrywka-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    # The limiter is one object for the process: hand the prefix back.
    limiter._key_prefix = ""
    delete_keys(client, prefix)
    client.close()


def limited_app(make_app, prefix: str, storage: str):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_LOGIN="3 per minute",
    )
    # Flask-Limiter keeps the first prefix it was given for the whole
    # process; each of these tests needs its own.
    limiter._key_prefix = prefix
    return app


@pytest.mark.redis
def test_login_attempts_are_counted_in_redis(make_app, redis_prefix):
    app = limited_app(make_app, redis_prefix, redis_uri())
    client = app.test_client()
    statuses = [client.post("/staff/login", data=WRONG).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    keys = list(require_redis().scan_iter(match=f"*{redis_prefix}*"))
    assert keys, "no rate-limit counter in Redis"


@pytest.mark.redis
def test_counters_in_redis_expire(make_app, redis_prefix):
    app = limited_app(make_app, redis_prefix, redis_uri())
    app.test_client().post("/staff/login", data=WRONG)
    redis = require_redis()
    keys = list(redis.scan_iter(match=f"*{redis_prefix}*"))
    assert keys
    assert all(0 < redis.ttl(key) <= 60 for key in keys)


@pytest.mark.redis
def test_a_fresh_app_instance_sees_the_counts_in_redis(make_app, redis_prefix):
    first = limited_app(make_app, redis_prefix, redis_uri())
    for _ in range(3):
        assert first.test_client().post("/staff/login", data=WRONG).status_code == 400
    # A new app builds a new storage connection, like a new worker would.
    second = limited_app(make_app, redis_prefix, redis_uri())
    assert second.test_client().post("/staff/login", data=WRONG).status_code == 429


@pytest.mark.redis
def test_memory_storage_forgets_counts_in_a_fresh_instance(make_app, redis_prefix):
    # The contrast that makes the test above mean something: per-process
    # memory is why several workers need Redis.
    first = limited_app(make_app, redis_prefix, "memory://")
    for _ in range(3):
        assert first.test_client().post("/staff/login", data=WRONG).status_code == 400
    second = limited_app(make_app, redis_prefix, "memory://")
    assert second.test_client().post("/staff/login", data=WRONG).status_code == 400


@pytest.mark.redis
def test_separate_prefixes_keep_separate_counts(make_app, redis_prefix):
    app = limited_app(make_app, redis_prefix, redis_uri())
    for _ in range(3):
        app.test_client().post("/staff/login", data=WRONG)
    other = limited_app(make_app, redis_prefix + "-other", redis_uri())
    try:
        assert other.test_client().post("/staff/login", data=WRONG).status_code == 400
    finally:
        delete_keys(require_redis(), redis_prefix + "-other")


@pytest.fixture
def revive_limiter():
    yield
    # The limiter is one object per process and remembers a dead storage
    # until its next health check; later tests start from a live one.
    limiter._storage_dead = False


def test_with_redis_unreachable_limits_still_hold_and_nothing_fails(make_app, revive_limiter):
    # Nothing listens on this port: as if Redis had gone down.
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        RATELIMIT_LOGIN="3 per minute",
    )
    client = app.test_client()
    statuses = [client.post("/staff/login", data=WRONG).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    assert client.get("/healthz").status_code == 200
