"""Time the Ruby front end (lexer + LALR parser + AST) on the stock
configuration files: every `*.conf` under ../shared/upstream/data/ (the
files a default installation loads), and the whole upstream corpus
(data/, test/fixtures/, show-config dumps) for scale.

    .venv/bin/python benchmarks/ruby_parse.py [--repeat N]

Prints the cold start (import + building/loading the parser + first parse
of the stock files) and the median of N warm passes, in milliseconds.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT / ".." / "shared" / "upstream"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    opts = ap.parse_args()
    sys.path.insert(0, str(ROOT))

    stock = sorted((UPSTREAM / "data").rglob("*.conf"))
    corpus = stock + sorted((UPSTREAM / "test" / "fixtures").rglob("*.conf")) + sorted(
        (UPSTREAM / "show-config").glob("*.dump"))
    texts = {p: p.read_text(encoding="utf-8") for p in corpus}

    t0 = time.perf_counter()
    from milter_manager.ruby.parser import _get_parser, parse
    t1 = time.perf_counter()
    _get_parser()
    t2 = time.perf_counter()
    for p in stock:
        parse(texts[p], str(p))
    t3 = time.perf_counter()

    def timed(files: list[Path]) -> float:
        runs = []
        for _ in range(opts.repeat):
            start = time.perf_counter()
            for p in files:
                parse(texts[p], str(p))
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) * 1000

    size = sum(len(texts[p]) for p in stock)
    print(f"cold: import {1000 * (t1 - t0):.1f} ms, parser {1000 * (t2 - t1):.1f} ms, "
          f"first parse of {len(stock)} stock files {1000 * (t3 - t2):.1f} ms")
    print(f"warm: {len(stock)} stock files ({size} chars): {timed(stock):.1f} ms "
          f"(median of {opts.repeat})")
    print(f"warm: whole corpus, {len(corpus)} files: {timed(corpus):.1f} ms")


if __name__ == "__main__":
    main()
