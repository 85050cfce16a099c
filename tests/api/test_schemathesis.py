"""Property-based test of the JSON API against its OpenAPI document, over HTTP on loopback.

Schemathesis sends generated requests, valid and invalid ones, to every operation of a live server
(pytest-django's `live_server`, a thread on 127.0.0.1 at a free port) holding posts, stories,
reader views and feeds, and checks each answer: no 5xx, the status code and content type
documented, the body valid against the documented schema.

The schema is loaded from the document in-process (the fixture checks that the server serves the
same one): schemathesis's fixture-based loader (`schemathesis.pytest.from_fixture`) fails under
pytest 9 (it sets `Function._nodeid`, gone in pytest 9).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from newsrank.api.openapi import document

# Examples per operation: enough to cover each parameter's edge cases, and the whole test stays
# under a minute on one core (10 operations).
MAX_EXAMPLES = 40
CASES: Counter = Counter()


@pytest.fixture
def api_server(live_server, transactional_db, make_posts, settings):
    """The live server's base URL, with data in the database and no rate limit."""
    from django.core.cache import cache

    from newsrank.sources.models import Feed
    from newsrank.stories.models import PostView, Story

    settings.NEWSRANK_API_RATE_LIMIT = None  # the test sends far more than a reader may
    cache.clear()
    posts = make_posts(25, section="economy", subtitles=["부제"], authors=["기자"])
    make_posts(1, title='검색 & <특수> "문자" 제목', images=[{"url": "https://x.example/a.jpg"}])
    story = Story.objects.create(
        headline="가상 이슈",
        first_at=posts[0].published_at,
        newest_at=posts[2].published_at,
        posts_count=3,
        outlets_count=1,
        rank_key=1.0,
    )
    for post in posts[:3]:
        post.story = story
        post.summary = ["요약 문장."]
        post.save()
    now = datetime.now(UTC)
    PostView.objects.create(post=posts[0], reader="r1", day=now.date(), viewed_at=now)
    Feed.objects.create(
        outlet=posts[0].outlet,
        url="https://garam.example/rss.xml",
        status=Feed.Status.ERROR,
        error="HTTP 503",
        error_count=2,
        first_error_at=now - timedelta(hours=1),
    )
    Feed.objects.create(outlet=posts[0].outlet, url="https://garam.example/new.xml")
    from newsrank.search.backends import index_pending

    index_pending()  # also loads the Korean analyzer (seconds), before any timed request
    served = requests.get(f"{live_server.url}/api/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(document()))
    return live_server.url


schema = schemathesis.openapi.from_dict(document())


@pytest.fixture(scope="module", autouse=True)
def report_cases():
    yield
    if CASES:
        figures = ", ".join(f"{label}: {n}" for label, n in sorted(CASES.items()))
        print(f"\nschemathesis: {len(CASES)} operations, {sum(CASES.values())} cases ({figures})")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_match_the_document(api_server, case):
    CASES[case.operation.label] += 1
    # Every check runs, the 405's `Allow` header (RFC 9110 §15.5.6) included. The
    # timeout is generous because a shared test machine can stall a request for seconds.
    case.call_and_validate(base_url=api_server, timeout=60)
