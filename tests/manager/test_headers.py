"""manager.md §7.2 list operations and the §7.3 header diff (with M0)."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from milter_manager.manager.headers import (
    ADD,
    CHANGE,
    DELETE,
    INSERT,
    add_header,
    apply_op,
    change_header,
    delete_header,
    header_diff,
    insert_header,
    mta_header_ops,
)


def test_add_header_goes_before_first_same_name_ignoring_case():
    h = [(b"From", b"a"), (b"x-a", b"1"), (b"X-A", b"2")]
    add_header(h, b"X-A", b"new")
    assert h == [(b"From", b"a"), (b"X-A", b"new"), (b"x-a", b"1"), (b"X-A", b"2")]


def test_add_header_appends_when_name_absent():
    h = [(b"From", b"a")]
    add_header(h, b"X-B", b"1")
    assert h == [(b"From", b"a"), (b"X-B", b"1")]


def test_insert_header_index_beyond_end_appends():
    h = [(b"A", b"1")]
    insert_header(h, 9, b"B", b"2")
    insert_header(h, 0, b"C", b"3")
    assert h == [(b"C", b"3"), (b"A", b"1"), (b"B", b"2")]


def test_change_header_is_case_sensitive_and_falls_back_to_add():
    h = [(b"subject", b"x"), (b"Subject", b"y")]
    change_header(h, b"Subject", 1, b"z")
    assert h == [(b"subject", b"x"), (b"Subject", b"z")]
    change_header(h, b"X-New", 1, b"v")
    assert h[-1] == (b"X-New", b"v")


def test_delete_header_nth_exact_name():
    h = [(b"X", b"1"), (b"X", b"2"), (b"x", b"3")]
    delete_header(h, b"X", 2)
    assert h == [(b"X", b"1"), (b"x", b"3")]
    delete_header(h, b"X", 5)
    assert h == [(b"X", b"1"), (b"x", b"3")]


def test_diff_upstream_example_change_then_insert():
    # manager.md §7.3: child 1 adds X-A: 1 (appended), child 2 changes Subject #1.
    h0 = [(b"From", b"f"), (b"Subject", b"s")]
    h = [(b"From", b"f"), (b"Subject", b"new"), (b"X-A", b"1")]
    assert header_diff(h0, h) == [(CHANGE, b"Subject", 1, b"new"), (INSERT, 2, b"X-A", b"1")]
    # M0: the trailing addition is written as h.
    assert mta_header_ops(h0, h) == [(CHANGE, b"Subject", 1, b"new"), (ADD, b"X-A", b"1")]


def test_diff_delete_many_reverse_order_as_upstream():
    # delete-header-many.txt: X1=V1,V2,V3; child 1 deletes #2 then #1; child 2 adds X2.
    h0 = [(b"X1", b"V1"), (b"X1", b"V2"), (b"X1", b"V3")]
    h = list(h0)
    delete_header(h, b"X1", 2)
    delete_header(h, b"X1", 1)
    add_header(h, b"X2", b"V")
    ops = header_diff(h0, h)
    assert ops == [(INSERT, 1, b"X2", b"V"), (DELETE, b"X1", 2), (DELETE, b"X1", 1)]
    mta = list(h0)
    for op in mta_header_ops(h0, h):
        apply_op(mta, op)
    # The corpus's expected (upstream) result.
    assert mta == [(b"X2", b"V"), (b"X1", b"V3")]


def test_trailing_addition_of_existing_name_stays_insert():
    # change-header.txt: MTA has X1:V1; child 1 adds X1:V2 (goes first), child 2 changes #1.
    h0 = [(b"X1", b"V1")]
    h = [(b"X1", b"Replaced"), (b"X1", b"V1")]
    ops = mta_header_ops(h0, h)
    assert ops == [(CHANGE, b"X1", 1, b"Replaced"), (INSERT, 1, b"X1", b"V1")]
    mta = list(h0)
    for op in ops:
        apply_op(mta, op)
    assert mta == h


names = st.sampled_from([b"A", b"a", b"B", b"X"])
values = st.sampled_from([b"1", b"2", b"3"])
operations = st.one_of(
    st.tuples(st.just("h"), names, values),
    st.tuples(st.just("i"), st.integers(0, 6), names, values),
    st.tuples(st.just("m"), names, st.integers(1, 3), values),
    st.tuples(st.just("d"), names, st.integers(1, 3)),
)


def _run(h0, ops):
    h = list(h0)
    for op in ops:
        if op[0] == "h":
            add_header(h, op[1], op[2])
        elif op[0] == "i":
            insert_header(h, op[1], op[2], op[3])
        elif op[0] == "m":
            change_header(h, op[1], op[2], op[3])
        else:
            delete_header(h, op[1], op[2])
    return h


@settings(max_examples=3000)
@given(st.lists(st.tuples(names, values), max_size=5), st.lists(operations, max_size=5))
def test_m0_never_changes_the_mta_visible_result(h0, child_ops):
    """Writing trailing additions as `h` gives the MTA the same list as
    upstream's all-`i` operations (so every corpus expectation holds)."""
    assume(len(set(h0)) == len(h0))
    h = _run(h0, child_ops)
    upstream = list(h0)
    for op in header_diff(h0, h):
        apply_op(upstream, op)
    ours = list(h0)
    for op in mta_header_ops(h0, h):
        apply_op(ours, op)
    assert ours == upstream
