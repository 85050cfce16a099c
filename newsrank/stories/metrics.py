"""Clustering quality: pairwise and B-cubed precision, recall and F1 of predicted stories.

Pairwise counts item pairs put together (precision: of the predicted same-story pairs, how many are
gold pairs; recall: of the gold pairs, how many were predicted). B-cubed (Bagga & Baldwin 1998)
averages over items the share of an item's predicted story that is in its gold story (precision) and
of its gold story that is in its predicted story (recall). Both take {item: cluster} maps over the
same items. Pure: no Django.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float | None  # None when nothing was predicted together
    recall: float | None  # None when the gold has no pairs
    f1: float


def _f1(precision: float | None, recall: float | None) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _check(predicted: Mapping, gold: Mapping) -> None:
    if predicted.keys() != gold.keys():
        missing = set(gold) ^ set(predicted)
        raise ValueError(f"predicted and gold cover different items, e.g. {sorted(missing)[:3]}")


def _pairs(sizes) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> Scores:
    """Pairwise precision, recall and F1 over item pairs."""
    _check(predicted, gold)
    both = _pairs(Counter((predicted[i], gold[i]) for i in gold).values())
    predicted_pairs = _pairs(Counter(predicted.values()).values())
    gold_pairs = _pairs(Counter(gold.values()).values())
    precision = both / predicted_pairs if predicted_pairs else None
    recall = both / gold_pairs if gold_pairs else None
    return Scores(precision, recall, _f1(precision, recall))


def bcubed(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> Scores:
    """Item-averaged B-cubed precision, recall and F1."""
    _check(predicted, gold)
    if not gold:
        return Scores(None, None, 0.0)
    overlap = Counter((predicted[i], gold[i]) for i in gold)
    predicted_size = Counter(predicted.values())
    gold_size = Counter(gold.values())
    precision = recall = 0.0
    for item in gold:
        shared = overlap[predicted[item], gold[item]]
        precision += shared / predicted_size[predicted[item]]
        recall += shared / gold_size[gold[item]]
    precision /= len(gold)
    recall /= len(gold)
    return Scores(precision, recall, _f1(precision, recall))


def clusters(assignment: Mapping[Hashable, Hashable]) -> list[set]:
    """The clusters of an {item: cluster} map, as sets of items."""
    groups: dict[Hashable, set] = defaultdict(set)
    for item, cluster in assignment.items():
        groups[cluster].add(item)
    return list(groups.values())
