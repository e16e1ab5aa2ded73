"""The analyzer's store: one JSON file per series, consolidated like RRD
(tools.md §4.4), and the read positions of the inputs.

[deviation] tools.md §4: upstream keeps RRD files written by `rrdtool`; the
port keeps these JSON files instead (no RRDtool dependency).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .series import series_items

VERSION = 1
MINUTE = 60
ROWS = 200
# §4.4: minutes per bucket 8, 56, 280, 3360 (upstream: 86400 / (60 × 200) + 1
# = 8, then ×7, ×5, ×12).
RANGES = {"day": 8 * MINUTE, "week": 56 * MINUTE, "month": 280 * MINUTE,
          "year": 3360 * MINUTE}
POSITIONS = "positions.json"


class StoreError(Exception):
    """A store that cannot be used (the message is printed, exit status 1)."""


def file_name(series: str) -> str:
    """`milter.status.MILTER.json`; a `/` in MILTER becomes `_` (§4.4)."""
    return series.replace("/", "_") + ".json"


def write_json(path: Path, data: Any) -> None:
    """Atomically: a temporary file in the same directory, then rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@dataclass
class Bucket:
    n: int
    sum: list[float]
    max: list[float]


@dataclass
class Series:
    """One series' consolidated data."""

    name: str
    items: tuple[str, ...]
    last_update: int | None = None
    #: order of first appearance among the stores (index.html lists milters so)
    created: int = 0
    buckets: dict[str, dict[int, Bucket]] = field(
        default_factory=lambda: {name: {} for name in RANGES})

    # -- folding minutes in (§4.4) ----------------------------------------------------------

    def _bucket(self, range_name: str, start: int) -> Bucket:
        buckets = self.buckets[range_name]
        bucket = buckets.get(start)
        if bucket is None:
            # Values are counts, never negative: 0 is a neutral start for max.
            bucket = buckets[start] = Bucket(0, [0] * len(self.items), [0] * len(self.items))
        return bucket

    def fold_minute(self, minute: int, values: list[int]) -> None:
        for range_name, step in RANGES.items():
            bucket = self._bucket(range_name, minute - minute % step)
            bucket.n += 1
            for index, value in enumerate(values):
                bucket.sum[index] += value
                bucket.max[index] = max(bucket.max[index], value)

    def fold_zeros(self, start: int, end: int) -> None:
        """Minutes start, start+60, … before `end` with no line: zeros.
        Only the buckets that survive pruning are touched, so a long pause
        costs at most ROWS + 1 buckets per range."""
        if end <= start:
            return
        for range_name, step in RANGES.items():
            first = start - start % step
            keep_from = (end - end % step) - ROWS * step
            bucket_start = max(first, keep_from)
            while bucket_start < end:
                low = max(start, bucket_start)
                high = min(end, bucket_start + step)
                if high > low:
                    self._bucket(range_name, bucket_start).n += (high - low) // MINUTE
                bucket_start += step

    def fold(self, minutes: dict[int, list[int]]) -> None:
        """A run's minutes in time order; gaps since last_update are zeros.
        [deviation] tools.md §4.3: a line that arrived out of order counts in
        its own minute (upstream throws the pending minute away)."""
        following = None if self.last_update is None else self.last_update + MINUTE
        for minute in sorted(minutes):
            if self.last_update is not None and minute <= self.last_update:
                continue
            if following is not None and following < minute:
                self.fold_zeros(following, minute)
            self.fold_minute(minute, minutes[minute])
            following = minute + MINUTE
            self.last_update = minute
        self.prune()

    def prune(self) -> None:
        """§4.4: only the newest 200 buckets of each range (plus the open one)."""
        for range_name, step in RANGES.items():
            buckets = self.buckets[range_name]
            if not buckets:
                continue
            newest = max(buckets)
            for start in [s for s in buckets if s < newest - ROWS * step]:
                del buckets[start]

    # -- reading (§4.4 AVERAGE and MAX) ---------------------------------------------------

    def consolidated(self, range_name: str, start: int, end: int
                     ) -> list[tuple[int, list[float] | None, list[float]]]:
        """(bucket start, AVERAGE per item or None, MAX per item) for every
        bucket of the range starting in [start, end), in time order. AVERAGE
        is sum / n, defined only if n ≥ steps / 2 (the xff rule)."""
        step = RANGES[range_name]
        steps = step // MINUTE
        rows = []
        for bucket_start in sorted(self.buckets[range_name]):
            if not start <= bucket_start < end:
                continue
            bucket = self.buckets[range_name][bucket_start]
            average = [s / bucket.n for s in bucket.sum] if bucket.n * 2 >= steps else None
            rows.append((bucket_start, average, list(bucket.max)))
        return rows

    # -- JSON --------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION, "series": self.name, "items": list(self.items),
            "last_update": self.last_update, "created": self.created,
            "ranges": {
                name: {"step": step, "buckets": {
                    str(start): {"n": b.n, "sum": b.sum, "max": b.max}
                    for start, b in sorted(self.buckets[name].items())}}
                for name, step in RANGES.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Series:
        name = data["series"]
        wanted = series_items(name)
        stored = list(data["items"])
        if any(item not in wanted for item in stored):
            raise StoreError("data source can't be removed!")
        # §4.4: items added by a newer version start at zero (RRD migration).
        positions = [stored.index(item) if item in stored else None for item in wanted]
        series = cls(name, wanted, data.get("last_update"), data.get("created", 0))
        for range_name in RANGES:
            raw = data.get("ranges", {}).get(range_name, {}).get("buckets", {})
            for start, bucket in raw.items():
                series.buckets[range_name][int(start)] = Bucket(
                    bucket["n"],
                    [bucket["sum"][p] if p is not None else 0 for p in positions],
                    [bucket["max"][p] if p is not None else 0 for p in positions])
        return series


def load_store(directory: Path) -> dict[str, Series]:
    """Every series file of the output directory."""
    store: dict[str, Series] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == POSITIONS:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StoreError(f"{path}: {error}") from None
        if not isinstance(data, dict) or "series" not in data:
            continue
        try:
            series = Series.from_json(data)
        except (KeyError, TypeError, IndexError, ValueError) as error:
            raise StoreError(f"{path}: broken store: {error}") from None
        store[series.name] = series
    return store


def save_store(directory: Path, store: dict[str, Series]) -> None:
    for series in store.values():
        write_json(directory / file_name(series.name), series.to_json())


def load_positions(directory: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads((directory / POSITIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
