import pytest

from newsrank.stories.metrics import bcubed, clusters, pairwise

GOLD = {"a": 1, "b": 1, "c": 1, "d": 2}
PREDICTED = {"a": "x", "b": "x", "c": "y", "d": "y"}


def test_pairwise_counts_item_pairs():
    # predicted pairs ab, cd; gold pairs ab, ac, bc; shared ab
    scores = pairwise(PREDICTED, GOLD)
    assert scores.precision == pytest.approx(1 / 2)
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.4)


def test_bcubed_averages_over_items():
    # a, b: P 2/2, R 2/3; c: P 1/2, R 1/3; d: P 1/2, R 1/1
    scores = bcubed(PREDICTED, GOLD)
    assert scores.precision == pytest.approx(0.75)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_identical_clusterings_score_one_whatever_the_labels():
    renamed = {item: f"story-{cluster}" for item, cluster in GOLD.items()}
    assert pairwise(renamed, GOLD).f1 == pytest.approx(1.0)
    assert bcubed(renamed, GOLD).f1 == pytest.approx(1.0)


def test_all_singletons_have_no_pairwise_precision_and_full_bcubed_precision():
    singletons = {item: item for item in GOLD}
    pw = pairwise(singletons, GOLD)
    assert (pw.precision, pw.recall, pw.f1) == (None, 0.0, 0.0)
    b3 = bcubed(singletons, GOLD)
    assert b3.precision == pytest.approx(1.0)
    assert b3.recall == pytest.approx((1 / 3 * 3 + 1) / 4)


def test_one_big_cluster_has_full_recall():
    together = dict.fromkeys(GOLD, 0)
    pw = pairwise(together, GOLD)
    assert pw.recall == pytest.approx(1.0)
    assert pw.precision == pytest.approx(3 / 6)


def test_refuses_clusterings_of_different_items():
    with pytest.raises(ValueError, match="different items"):
        pairwise({"a": 1}, {"b": 1})


def test_clusters_groups_items():
    assert sorted(map(sorted, clusters(PREDICTED))) == [["a", "b"], ["c", "d"]]
