"""The Redis cache fails soft: with Redis down every page still answers, and a failing Redis is
left alone for a few seconds instead of costing every request a connection attempt."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError

from newsrank import cache as soft_cache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsrank.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield caches["default"]


@pytest.mark.parametrize(
    "path",
    ["/", "/board/politics", "/{number}", "/issues", "/ranking", "/popular", "/trending",
     "/search?q=속보", "/api/posts", "/api/stories", "/api/trending", "/feed/"],
)  # fmt: skip
def test_every_page_answers_while_redis_is_down(client, make_posts, redis_down, path):
    post = make_posts(3)[0]
    assert isinstance(redis_down, soft_cache.ResilientRedisCache)
    response = client.get(path.format(number=post.number))  # numbers go on across tests
    assert response.status_code == 200, response.content[:300]


def test_a_failing_redis_reads_as_a_miss_and_is_not_asked_again_for_a_while(
    redis_down, monkeypatch
):
    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(args)
        raise RedisConnectionError("refused")

    monkeypatch.setattr(RedisCacheClient, "get", refuse)
    monkeypatch.setattr(RedisCacheClient, "incr", refuse)
    assert redis_down.get("page", "missing") == "missing"
    assert redis_down.incr("hits") == 0
    assert redis_down.get_or_set("anchors", lambda: [1, 2]) == [1, 2]
    assert len(calls) == 1  # paused after the first refusal
    redis_down._paused_until = 0.0  # the pause is over
    assert redis_down.get("page") is None
    assert len(calls) == 2


def test_a_missing_counter_still_says_so(redis_down, monkeypatch):
    def missing(self, key, delta):
        raise ValueError(f"Key '{key}' not found.")

    monkeypatch.setattr(RedisCacheClient, "incr", missing)
    with pytest.raises(ValueError):
        redis_down.incr("hits")  # callers add() the first hit of a window
