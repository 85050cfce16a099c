"""Story grouping quality on the labelled DEV window, beside the data README's baselines.

Usage:
    .venv/bin/python bench/stories_quality.py            # chosen settings + a tradeoff sweep
    .venv/bin/python bench/stories_quality.py --errors   # also list wrong and missed pairs

Replays `../shared/data/stories/items_dev.jsonl` in time order through `newsrank.stories.grouping`
(exactly the code the pipeline uses) and scores the stories against `labels_dev.tsv`: pairwise and
B-cubed precision/recall/F1, and items/s (Kiwi analysis included; Kiwi's model load excluded). The
sweep reuses each item's features so that only the grouping is re-run. The data is not part of the
project (see its README); without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from datetime import datetime
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsrank.search.analyzer import analyze  # noqa: E402
from newsrank.stories.grouping import Grouper, Item, Settings  # noqa: E402
from newsrank.stories.metrics import bcubed, pairwise  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "stories"

# From ../shared/data/stories/README.md (pw P, pw R, pw F1, B3 F1).
BASELINES = [
    ("all singletons", None, 0.000, 0.000, 0.866),
    ("exact normalized title", None, 0.000, 0.000, 0.866),
    ("Jaccard nouns title+text >=0.30, 48h", 0.688, 0.340, 0.455, 0.898),
    ("Jaccard nouns title >=0.30, 48h", 0.643, 0.462, 0.538, 0.915),
]


def load() -> tuple[list[Item], dict[str, str]]:
    items = []
    for line in (DATA / "items_dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        items.append(
            Item(
                id=row["id"],
                title=row["title"],
                text=row.get("text") or "",
                outlet=row["outlet"],
                published_at=datetime.fromisoformat(row["published_at"]),
                outlet_name=row.get("outlet_name") or "",
            )
        )
    items.sort(key=lambda item: (item.published_at, item.id))
    gold = {}
    for line in (DATA / "labels_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        item_id, _url, story = line.split("\t")
        gold[item_id] = story
    return items, gold


def replay(items: list[Item], settings: Settings, features=None) -> Grouper:
    grouper = Grouper(settings, features=features)
    for item in items:
        grouper.add(item)
    return grouper


def _fmt(value: float | None) -> str:
    return "  –  " if value is None else f"{value:.3f}"


def row(name: str, pw, b3) -> str:
    return (
        f"| {name:<44} | {_fmt(pw.precision)} | {_fmt(pw.recall)} | {pw.f1:.3f} "
        f"| {_fmt(b3.precision)} | {_fmt(b3.recall)} | {b3.f1:.3f} |"
    )


def show_errors(items, gold, predicted) -> None:
    by_id = {item.id: item for item in items}
    wrong, missed = [], []
    for a, b in combinations(by_id, 2):
        same_pred, same_gold = predicted[a] == predicted[b], gold[a] == gold[b]
        if same_pred and not same_gold:
            wrong.append((a, b))
        elif same_gold and not same_pred:
            missed.append((a, b))
    for label, pairs in (("WRONG", wrong), ("MISSED", missed)):
        print(f"\n{label} pairs: {len(pairs)}")
        for a, b in pairs:
            print(f"  {by_id[a].outlet:>10} {by_id[a].title}")
            print(f"  {by_id[b].outlet:>10} {by_id[b].title}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list wrong and missed pairs")
    args = parser.parse_args()
    if not (DATA / "items_dev.jsonl").exists():
        print(
            f"stories_quality: no labelled data at {DATA} (it is not part of the project); skipped."
        )
        return 0

    items, gold = load()
    analyze("준비")  # load Kiwi's model outside the timing

    settings = Settings()
    started = time.perf_counter()
    grouper = replay(items, settings)
    elapsed = time.perf_counter() - started
    predicted = grouper.assignments()

    print(f"DEV window: {len(items)} items, {len(set(gold.values()))} gold stories\n")
    print(f"| {'method':<44} | pw P  | pw R  | pw F1 | B³ P  | B³ R  | B³ F1 |")
    print(f"| {'-' * 44} | ----- | ----- | ----- | ----- | ----- | ----- |")
    for name, p, r, f1, b3f1 in BASELINES:
        print(f"| {name:<44} | {_fmt(p)} | {r:.3f} | {f1:.3f} |   –   |   –   | {b3f1:.3f} |")
    chosen = f"newsrank ({settings.link} link, threshold {settings.threshold})"
    print(row(chosen, pairwise(predicted, gold), bcubed(predicted, gold)))
    print(
        f"\n{len(items) / elapsed:.0f} items/s ({elapsed * 1000 / len(items):.2f} ms/item incl. "
        f"Kiwi), {len(set(predicted.values()))} stories, {len(grouper.merges)} merges"
    )

    # The tradeoff: the same grouping at other thresholds (features computed once).
    cache = {item.id: grouper.posts[item.id].features for item in items}
    print("\nTradeoff (link / threshold / merge threshold):\n")
    print(f"| {'settings':<44} | pw P  | pw R  | pw F1 | B³ P  | B³ R  | B³ F1 |")
    print(f"| {'-' * 44} | ----- | ----- | ----- | ----- | ----- | ----- |")
    for link in ("single", "average"):
        for threshold in (0.25, 0.30, 0.35, 0.40):
            variant = replace(
                settings, link=link, threshold=threshold, merge_threshold=threshold + 0.15
            )
            result = replay(items, variant, features=lambda item: cache[item.id]).assignments()
            name = f"{link} link, threshold {threshold:.2f}, merge {threshold + 0.15:.2f}"
            print(row(name, pairwise(result, gold), bcubed(result, gold)))

    if args.errors:
        show_errors(items, gold, predicted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
