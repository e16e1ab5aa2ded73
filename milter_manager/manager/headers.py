"""The message's header list and the diff sent to the MTA (manager.md §7.2–§7.3).

Header names and values are byte strings, compared exactly except where the
spec says "ignoring ASCII case". The diff algorithm is upstream's, kept as
the spec gives it (the corpus depends on its odd final order); only the
representation of trailing additions differs (M0).
"""

from __future__ import annotations

Header = tuple[bytes, bytes]

# Operations produced by `header_diff` / `mta_header_ops`.
INSERT = "insert-header"
ADD = "add-header"
CHANGE = "change-header"
DELETE = "delete-header"


def add_header(headers: list[Header], name: bytes, value: bytes) -> None:
    """manager.md §7.2: before the first header of that name (ASCII case
    ignored), else at the end."""
    lowered = name.lower()
    for i, (n, _) in enumerate(headers):
        if n.lower() == lowered:
            headers.insert(i, (name, value))
            return
    headers.append((name, value))


def insert_header(headers: list[Header], index: int, name: bytes, value: bytes) -> None:
    """manager.md §7.2: at list position `index`; past the end appends."""
    if index >= len(headers):
        headers.append((name, value))
    else:
        headers.insert(max(0, index), (name, value))


def _nth(headers: list[Header], name: bytes, n: int) -> int | None:
    if n < 1:
        return None
    k = 0
    for i, (hn, _) in enumerate(headers):
        if hn == name:
            k += 1
            if k == n:
                return i
    return None


def change_header(headers: list[Header], name: bytes, n: int, value: bytes) -> None:
    """manager.md §7.2: set the n-th header of that exact name; absent → add."""
    i = _nth(headers, name, n)
    if i is None:
        add_header(headers, name, value)
    else:
        headers[i] = (name, value)


def delete_header(headers: list[Header], name: bytes, n: int) -> None:
    """manager.md §7.2: remove the n-th header of that exact name, if any."""
    i = _nth(headers, name, n)
    if i is not None:
        del headers[i]


def header_diff(h0: list[Header], h: list[Header]) -> list[tuple]:
    """manager.md §7.3, exactly as upstream: operations turning `h0` into `h`.

    Returns tuples `(INSERT, index, name, value)`, `(ADD, name, value)`,
    `(CHANGE, name, rank, value)`, `(DELETE, name, rank)`.
    """
    work = list(h0)
    ops: list[tuple] = []

    def rank(header: Header) -> int | None:
        name, value = header
        k = 0
        for n, v in h0:
            if n == name:
                k += 1
                if v == value:
                    return k
        return None

    for i, header in enumerate(h):
        if header in work:
            work.remove(header)
            continue
        name, value = header
        same = None
        for candidate in work:
            if candidate[0] == name:
                same = candidate
                break
        if same is None:
            ops.append((INSERT, i, name, value))
            continue
        k = rank(same)
        if k is None:
            ops.append((ADD, name, value))  # cannot happen in practice
        else:
            ops.append((CHANGE, name, k, value))
            work.remove(same)
    for header in reversed(work):
        ops.append((DELETE, header[0], rank(header)))
    return ops


def apply_op(headers: list[Header], op: tuple) -> None:
    """Apply one diff operation as the MTA (and the test harness) would."""
    kind = op[0]
    if kind == INSERT:
        insert_header(headers, op[1], op[2], op[3])
    elif kind == ADD:
        add_header(headers, op[1], op[2])
    elif kind == CHANGE:
        change_header(headers, op[1], op[2], op[3])
    elif kind == DELETE and op[2] is not None:
        delete_header(headers, op[1], op[2])


def mta_header_ops(h0: list[Header], h: list[Header]) -> list[tuple]:
    """The operations written to the MTA: `header_diff` with M0 applied.

    [deviation] M0 (manager.md §7.3): insertions whose final position is
    after every header the MTA already has (they and everything after them
    in `h` are insertions) are written as `h` (append), because real MTAs
    count their own `Received:` in an `i` index and would place them one too
    early. §7.2's add-header (which the MTA model of the scenario harness
    applies) inserts an `h` before an existing header of the same name, so
    a trailing run is converted only when applying the converted operations
    to `h0` gives exactly the list upstream's operations give; otherwise the
    run is shortened from its start until it does (`change-header.txt` keeps
    its `i`: the added header's name is already present).
    """
    ops = header_diff(h0, h)
    insert_at = {op[1]: n for n, op in enumerate(ops) if op[0] == INSERT}
    run: list[int] = []        # op numbers of the trailing insertions, in order
    i = len(h) - 1
    while i >= 0 and i in insert_at:
        run.insert(0, insert_at[i])
        i -= 1
    if not run:
        return ops
    expected = _applied(h0, ops)
    while run:
        convert = set(run)
        candidate = [(ADD, op[2], op[3]) if n in convert else op for n, op in enumerate(ops)]
        if _applied(h0, candidate) == expected:
            return candidate
        run.pop(0)
    return ops


def _applied(h0: list[Header], ops: list[tuple]) -> list[Header]:
    headers = list(h0)
    for op in ops:
        apply_op(headers, op)
    return headers
