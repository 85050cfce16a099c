"""Story grouping quality on the labelled DEV window, beside the data README's baselines.

Usage:
    .venv/bin/python bench/stories_quality.py               # chosen settings + a tradeoff sweep
    .venv/bin/python bench/stories_quality.py --split       # also each half of the window alone
    .venv/bin/python bench/stories_quality.py --via-replay  # also through `newsrank stories replay`
    .venv/bin/python bench/stories_quality.py --errors      # also list wrong and missed pairs
    .venv/bin/python bench/stories_quality.py --fit         # refit the pair model's weights

`--fit` fits the pair model (`Settings.pair_model`) by logistic regression over the candidate pairs
(within 36 h, two shared terms or more) of each half of the window and of the whole: A is before
2022-07-31 18:00 KST, B after. `--split` is the two-fold check: each half is replayed on its own with
the weights fitted on the *other* half (FOLD_WEIGHTS), beside the former rule. The shipped weights
are the fit on A (see `Settings.pair_model` for why not the fit on the whole window).
`--via-replay` runs the items through the `newsrank stories replay` command (the crawler's
StoryAssigner in a throwaway database) and scores its output too; it should match.

Replays `../shared/data/stories/items_dev.jsonl` in time order through `newsrank.stories.grouping`
(exactly the code the pipeline uses) and scores the stories against `labels_dev.tsv`: pairwise and
B-cubed precision/recall/F1, and items/s (Kiwi analysis included; Kiwi's model load excluded). The
sweep reuses each item's features so that only the grouping is re-run. The data is not part of the
project (see its README); without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsrank.search.analyzer import analyze  # noqa: E402
from newsrank.stories.features import same_day_forecasts  # noqa: E402
from newsrank.stories.grouping import Grouper, Item, Settings  # noqa: E402
from newsrank.stories.grouping import _Post as Post  # noqa: E402
from newsrank.stories.metrics import bcubed, pairwise  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "stories"
# The two halves of the window for the two-fold check: A before this moment, B from it.
SPLIT = datetime(2022, 7, 31, 18, 0, tzinfo=timezone(timedelta(hours=9)))
# Pair-model weights fitted (`--fit`) on one half, to be checked on the other.
FOLD_WEIGHTS = {
    "A": (7.328, 2.745, 0.094, -0.087, -0.227, -0.607, 8.922, -4.564),
    "B": (6.705, 0.198, 0.201, 0.123, 0.072, 0.041, 5.945, -7.143),
}

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


def score(items, gold, settings, features) -> tuple:
    """Pairwise and B-cubed scores of replaying `items` alone, against their gold stories."""
    return _scores(replay(items, settings, features=features).assignments(), gold)


def via_replay(gold) -> dict[str, str]:
    """Each item's story from the `newsrank stories replay` command (the crawler's code)."""
    command = [str(ROOT / ".venv" / "bin" / "newsrank"), "stories", "replay"]
    output = subprocess.run(
        [*command, str(DATA / "items_dev.jsonl")], capture_output=True, text=True, check=True
    ).stdout
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    return {str(row["id"]): row["story"] for row in rows if str(row["id"]) in gold}


def pair_rows(items, gold, cache) -> list[tuple[tuple[float, ...], bool, str]]:
    """(pair features, same gold story, half) of every candidate pair, IDF from the whole window."""
    grouper = Grouper(features=lambda item: cache[item.id])
    for item in items:
        grouper.index.add(item.id, cache[item.id].terms, item.published_at)
    rows = []
    for a, b in combinations(items, 2):  # items are in time order: b is the later post
        fa, fb = cache[a.id], cache[b.id]
        if len(fa.terms & fb.terms) < 2 or b.published_at - a.published_at > timedelta(hours=36):
            continue
        if fa.opinion or fb.opinion:
            continue  # opinion matches nothing, whatever the model says
        if same_day_forecasts(fa, fb):
            continue  # one day's forecasts match, whatever the model says
        earlier = Post(a, fa, 0)
        vector = grouper.pair_features(b, fb, grouper._weights(fb), earlier, grouper._weights(fa))
        half = "A" if b.published_at < SPLIT else "B" if a.published_at >= SPLIT else ""
        rows.append((vector, gold[a.id] == gold[b.id], half))
    return rows


def logistic_fit(rows, steps: int = 3000, rate: float = 1.0, l2: float = 1.0) -> tuple:
    """Weights (then the bias) of a logistic regression, by gradient descent on standardized
    features, given back on the raw features."""
    import numpy as np  # a bench-only need (kiwipiepy brings numpy)

    x = np.array([vector for vector, _, _ in rows], float)
    y = np.array([same for _, same, _ in rows], float)
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = np.column_stack([(x - mean) / std, np.ones(len(x))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ (p - y) + l2 * np.r_[w[:-1], 0]) / len(y)
    raw = np.r_[w[:-1] / std, w[-1] - (w[:-1] * mean / std).sum()]
    return tuple(round(float(v), 3) for v in raw)


def fit_all(items, gold, cache) -> None:
    rows = pair_rows(items, gold, cache)
    print(f"\nPair model fits ({len(rows)} candidate pairs, {sum(r[1] for r in rows)} same story):")
    for half in ("A", "B", "all"):
        chosen = [r for r in rows if half == "all" or r[2] == half]
        print(f"  fitted on {half:>3}: {logistic_fit(chosen)}")


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


# The rule before the pair model: IDF cosine, 48 h half-life, average link, threshold 0.3.
FORMER = Settings(pair_model=None, threshold=0.3, merge_threshold=0.45)


def _scores(predicted, gold) -> tuple:
    subset = {item_id: gold[item_id] for item_id in predicted}
    return pairwise(predicted, subset), bcubed(predicted, subset)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list wrong and missed pairs")
    parser.add_argument("--split", action="store_true", help="two-fold check on the halves")
    parser.add_argument("--fit", action="store_true", help="fit the pair model's weights")
    parser.add_argument(
        "--via-replay", action="store_true", help="also score `newsrank stories replay`"
    )
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
    chosen = f"newsrank (pair model, {settings.link} link, p ≥ {settings.threshold})"
    print(row(chosen, pairwise(predicted, gold), bcubed(predicted, gold)))
    print(
        f"\n{len(items) / elapsed:.0f} items/s ({elapsed * 1000 / len(items):.2f} ms/item incl. "
        f"Kiwi), {len(set(predicted.values()))} stories, {len(grouper.merges)} merges"
    )

    cache = {item.id: grouper.posts[item.id].features for item in items}
    cached = lambda item: cache[item.id]  # noqa: E731

    if args.fit:
        fit_all(items, gold, cache)

    if args.split:
        print("\nTwo-fold check (each half replayed alone, pair model fitted on the other half):\n")
        print(f"| {'half':<44} | pw P  | pw R  | pw F1 | B³ P  | B³ R  | B³ F1 |")
        print(f"| {'-' * 44} | ----- | ----- | ----- | ----- | ----- | ----- |")
        halves = {"A": [i for i in items if i.published_at < SPLIT]}
        halves["B"] = [i for i in items if i.published_at >= SPLIT]
        pooled = {}  # both halves' stories, kept apart: only pairs inside a half count
        for name, other in (("A", "B"), ("B", "A")):
            held_out = replace(settings, pair_model=FOLD_WEIGHTS[other])
            result = replay(halves[name], held_out, features=cached).assignments()
            pooled.update({item_id: (name, story) for item_id, story in result.items()})
            label = f"{name} ({len(halves[name])} items), fitted on {other}"
            print(row(label, *_scores(result, gold)))
            print(row(f"{name}, former cosine rule", *score(halves[name], gold, FORMER, cached)))
        halves_gold = {item_id: (half, gold[item_id]) for item_id, (half, _) in pooled.items()}
        print(row("both halves pooled, each fitted on the other", *_scores(pooled, halves_gold)))

    if args.via_replay:
        started = time.perf_counter()
        replayed = via_replay(gold)
        elapsed = time.perf_counter() - started
        print(f"\nThrough `newsrank stories replay` ({elapsed:.1f} s, {len(replayed)} items):\n")
        print(row("newsrank via replay (crawler's StoryAssigner)", *_scores(replayed, gold)))
        same = sum(
            (replayed[a] == replayed[b]) == (predicted[a] == predicted[b])
            for a, b in combinations(sorted(replayed), 2)
        )
        total = len(replayed) * (len(replayed) - 1) // 2
        print(f"pairs on which replay and the in-memory Grouper agree: {same}/{total}")

    # The tradeoff: the same features at other settings (computed once).
    print("\nTradeoff (pair-model probability threshold; the former cosine rule):\n")
    print(f"| {'settings':<44} | pw P  | pw R  | pw F1 | B³ P  | B³ R  | B³ F1 |")
    print(f"| {'-' * 44} | ----- | ----- | ----- | ----- | ----- | ----- |")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        variant = replace(settings, threshold=threshold, merge_threshold=max(threshold, 0.7))
        print(row(f"pair model, threshold {threshold:.1f}", *score(items, gold, variant, cached)))
    for threshold in (0.25, 0.30, 0.35, 0.40):
        variant = replace(FORMER, threshold=threshold, merge_threshold=threshold + 0.15)
        name = f"former cosine rule, threshold {threshold:.2f}"
        print(row(name, *score(items, gold, variant, cached)))

    if args.errors:
        show_errors(items, gold, predicted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
