import pytest

pytestmark = pytest.mark.django_db


def test_posts_newest_first_with_fields(client, make_posts):
    posts = make_posts(23)
    data = client.get("/api/posts").json()
    assert data["count"] == 23 and data["pages"] == 2
    first = data["results"][0]
    assert first["number"] == posts[-1].number
    assert set(first) >= {"number", "title", "outlet", "published_at", "url", "link"}
    assert first["outlet"] == "가람일보"
    assert first["link"].endswith(f"/{posts[-1].number}")
    assert "+" in first["published_at"] or first["published_at"].endswith("Z")
    assert len(client.get("/api/posts?page=2").json()["results"]) == 3


def test_one_post_adds_body_subtitles_and_images(client, make_posts):
    (post,) = make_posts(
        1, subtitles=["부제"], images=[{"url": "https://x.example/a.jpg", "caption": "c"}]
    )
    data = client.get(f"/api/posts/{post.number}").json()
    assert data["subtitles"] == ["부제"]
    assert data["images"][0]["caption"] == "c"
    assert data["body_text"].startswith("첫 문단입니다")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/posts?page=abc", 400),
        ("/api/posts?page=0", 400),
        ("/api/posts?page=%EF%BC%92", 400),  # a full-width 2
        ("/api/posts?page=1000000001", 400),  # past what a JSON client reads exactly
        ("/api/posts?page=99999999999999999999999", 400),
        ("/api/posts?page=99", 404),
        ("/api/posts/424242", 404),
        ("/api/nothing", 404),
    ],
)
def test_errors_are_json_with_status(client, make_posts, path, status):
    make_posts(1)
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["status"] == status


def test_writes_are_refused_as_json(client, db):
    response = client.post("/api/posts")
    assert response.status_code == 405 and response.json()["error"]["status"] == 405
    assert response["Allow"] == "GET, HEAD"


def test_search_api_returns_marked_results(client, make_posts):
    from newsrank.search.backends import index_pending

    make_posts(1, title="한성반도체, HBM4E 공개", body_text="한성반도체가 새 HBM 제품을 공개했다.")
    make_posts(1, title="다른 소식")
    index_pending()
    data = client.get("/api/search", {"q": "hbm4e"}).json()
    assert data["total"] == 1
    (hit,) = data["results"]
    assert hit["title"] == "한성반도체, HBM4E 공개"
    assert "<mark>" in hit["title_html"]
    assert client.get("/api/search", {"q": "🙂"}).json()["message"]
    assert client.get("/api/search", {"q": "x", "page": "-1"}).status_code == 400


def test_an_unreachable_database_is_a_json_503_not_a_500(client, db, monkeypatch):
    from django.db import OperationalError

    from newsrank.api import views

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.lists, "get_page", database_down)
    response = client.get("/api/posts")
    assert response.status_code == 503
    assert response.json()["error"]["status"] == 503
    assert response["Retry-After"]


def test_an_unknown_api_path_with_a_newline_is_a_json_404(client, db):
    response = client.get("/api/stories/a%0Ab")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
