"""What every fuzz target shares: the failure classes, byte mutations, and
where the upstream reference data lives.

A *target* is a module with `run_case(rng)`: it builds one random case from
`rng` (a `random.Random`, or hypothesis's `st.randoms()` in the suite) and
runs it. Bad input is expected; what is not allowed raises `Violation`:
an exception the component must never let out, a broken invariant, or a
hang (`Hang`, a `Violation` too). The suite runs a few hundred derandomized
cases per target; `benchmarks/fuzz/run.py` runs millions.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT / ".." / "shared"
UPSTREAM = SHARED / "upstream"


def scratch_directory(prefix: str) -> str:
    """A private directory for the files a case writes: in memory when the
    host has /dev/shm (a case writes one file, and opening files on a slow
    /tmp costs more than the case itself)."""
    shm = "/dev/shm"
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix=prefix, dir=base)


class Violation(AssertionError):
    """The component did something bad input must never cause."""


class Hang(Violation):
    """A case did not finish within its time limit."""


def mutate_bytes(rng: random.Random, data: bytes, atoms: list[bytes],
                 max_mutations: int = 4) -> bytes:
    """1..max_mutations edits: bit flips, byte changes, deletions, insertions
    of an atom (the tokens the parser cares about), line duplication,
    deletion and swaps, truncation, and splices of the file with itself."""
    out = bytearray(data)
    for _ in range(rng.randint(1, max_mutations)):
        if not out:
            out.extend(rng.choice(atoms))
            continue
        at = rng.randrange(len(out))
        kind = rng.randrange(10)
        if kind == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            out[at] = rng.randrange(256)
        elif kind == 2:
            del out[at:at + rng.randint(1, 8)]
        elif kind in (3, 4):
            out[at:at] = rng.choice(atoms)
        elif kind == 5:
            out[at:at + rng.randint(1, 4)] = rng.choice(atoms)
        elif kind in (6, 7, 8):
            lines = bytes(out).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == 6:
                lines.insert(j, lines[i])
            elif kind == 7:
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            out = bytearray(b"\n".join(lines))
        else:
            if rng.random() < 0.5:
                del out[at:]
            else:
                start = rng.randrange(len(out))
                out[at:at] = out[start:start + rng.randint(1, 200)]
    return bytes(out)
