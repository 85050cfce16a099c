"""`newsrank stories replay`: feed items through the crawler's story assignment, in a throwaway DB."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.stories.models import PostFeatures, Story
from newsrank.stories.replay import ReplayError, read_items, replay

FIXTURE = Path(__file__).parents[1] / "fixtures" / "stories" / "replay_items.jsonl"
SUBWAY = ["s1", "s2", "s3", "s4"]  # a [속보] flash and three reports of one opening
EARNINGS = ["e1", "e2", "e3"]
ALONE = ["w1", "p1", "k1"]  # weather, an editorial on the subway, a football result


def fixture_rows() -> list[dict]:
    return read_items(FIXTURE.read_text(encoding="utf-8").splitlines())


def item(item_id: str, **fields) -> dict:
    return {
        "id": item_id,
        "title": "가람시 새 다리 개통",
        "text": "",
        "outlet": "garam",
        "published_at": "2026-03-02T09:00:00+09:00",
    } | fields


@pytest.mark.django_db
def test_groups_each_event_once_and_keeps_other_items_alone():
    stories = {line["id"]: line["story"] for line in replay(fixture_rows())}
    assert {stories[i] for i in SUBWAY} == {stories["s1"]}
    assert {stories[i] for i in EARNINGS} == {stories["e1"]}
    alone = [stories[i] for i in ALONE]
    assert len({stories["s1"], stories["e1"], *alone}) == 5


@pytest.mark.django_db
def test_answers_one_line_per_item_in_input_order_with_stored_story_ids():
    rows = fixture_rows()
    lines = list(replay(rows))
    assert [line["id"] for line in lines] == [row["id"] for row in rows]
    assert {line["story"] for line in lines} == set(
        Story.objects.live().values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_posts_are_numbered_and_placed_in_time_order_as_the_crawler_stores_them():
    list(replay(fixture_rows()))
    posts = list(Post.objects.order_by("number"))
    times = [post.published_at for post in posts]
    assert times == sorted(times) and times[0] != times[-1]
    assert not any(post.story_pending for post in posts)
    assert PostFeatures.objects.count() == len(posts)  # features computed on the way
    assert {post.outlet.name for post in posts} == {"바람뉴스", "가람일보", "누리신문", "새벽경제"}


@pytest.mark.django_db
def test_refuses_a_database_that_already_holds_posts(make_posts):
    make_posts(1)
    with pytest.raises(ReplayError, match="empty"):
        list(replay([item("a")]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([item("a"), item("a", url="https://x.example/2")], "item 2: id 'a' already used"),
        (
            [item("a", url="https://x.example/1"), item("b", url="https://x.example/1")],
            "item 2: url https://x.example/1 already used",
        ),  # fmt: skip
        ([item("a", published_at="2026-03-02T09:00:00")], "item 1: .* no UTC offset"),
        ([item("a", published_at="어제")], "item 1: .* not an ISO 8601 time"),
        ([item("a", title="")], "item 1: missing title"),
        ([{"id": "a"}], "item 1: missing title, text, outlet, published_at"),
    ],
)
def test_names_the_bad_item_and_what_is_wrong(items, message):
    with pytest.raises(ReplayError, match=message):
        list(replay(items))
    assert not Post.objects.exists()  # checked before anything is stored


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 3: not JSON"),
        ("[1, 2]", "line 3: expected a JSON object, got list"),
        (
            '{"id": "z", "title": "t", "text": 3, "outlet": "o", "published_at": "2026-03-02T09:00:00Z"}',
            "line 3: text must be a string",
        ),  # fmt: skip
    ],
)
def test_reading_names_the_line_number_of_a_bad_line(line, message):
    good = json.dumps(item("a"), ensure_ascii=False)
    with pytest.raises(ReplayError, match=message):
        read_items([good, "", line])


def newsrank(*args, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"NEWSRANK_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "newsrank", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_prints_each_items_story_and_leaves_the_data_folder_alone(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    result = newsrank("stories", "replay", str(FIXTURE), data_dir=data)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    stories = {line["id"]: line["story"] for line in lines}
    assert len(lines) == 10 and set(lines[0]) == {"id", "story"}
    assert {stories[i] for i in SUBWAY} == {stories["s1"]} != {stories["e1"]}
    assert list(data.iterdir()) == []  # the real data folder is never created nor written


def test_command_reads_standard_input():
    result = newsrank("stories", "replay", "-", data_dir=Path("/nonexistent/newsrank"),
                      stdin=json.dumps(item("a")) + "\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"id": "a", "story": 1}


def test_command_reports_a_bad_line_and_exits_1(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(item("a")) + "\n" + '{"id": "b"}\n', encoding="utf-8")
    result = newsrank("stories", "replay", str(path), data_dir=tmp_path)
    assert result.returncode == 1
    assert "line 2: missing title" in result.stderr and result.stdout == ""


@pytest.mark.django_db
def test_features_computed_in_worker_processes_group_alike():
    in_process = [line["story"] for line in replay(fixture_rows(), workers=0)]
    Post.objects.all().delete()
    Story.objects.all().delete()
    Outlet.objects.all().delete()
    in_workers = [line["story"] for line in replay(fixture_rows(), workers=2)]
    # Story ids differ between the two runs; the partition of the items must not.
    assert _partition(in_workers) == _partition(in_process)
    assert PostFeatures.objects.count() == len(in_workers)


def _partition(stories: list[int]) -> list[int]:
    first: dict[int, int] = {}
    return [first.setdefault(story, index) for index, story in enumerate(stories)]
