"""Reader for the tshark hex dumps of ../shared/upstream/data/packet (protocol.md §14.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PACKET_DIR = SHARED / "upstream" / "data" / "packet"

_BLOCK = re.compile(r"^( *)Data \((\d+) bytes\)$")
_DUMP = re.compile(r"^[0-9a-f]{4}  ")


@dataclass
class Block:
    """One TCP payload: its direction and bytes."""

    from_mta: bool  # indent 0: MTA -> milter; indent 2: milter -> MTA
    data: bytes


def capture_files() -> list[Path]:
    return sorted([*PACKET_DIR.glob("*.log"), *PACKET_DIR.glob("*.txt")])


def read_capture(path: Path) -> tuple[str | None, list[Block]]:
    """The test milter's command line (None for milter-packet.txt) and the blocks."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    command = lines[0] if lines and lines[0].startswith("./") else None
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = _BLOCK.match(lines[index])
        index += 1
        if not match:
            continue
        indent, size = len(match.group(1)), int(match.group(2))
        assert indent in (0, 2), f"{path.name}: odd indent {indent}"
        data = bytearray()
        while len(data) < size and index < len(lines):
            line = lines[index][indent:]
            index += 1
            if _DUMP.match(line):
                # §14.1: the 48-character hex field is characters 6..53.
                for token in line[6:54].split():
                    if len(data) < size:
                        data.append(int(token, 16))
        assert len(data) == size, f"{path.name}: block of {size} bytes has {len(data)}"
        blocks.append(Block(indent == 0, bytes(data)))
    return command, blocks
