"""input_digest keys the controller's memos: two different inputs must never share a key."""

from hypothesis import given
from hypothesis import strategies as st

from driftctl.input_digest import input_digest


def test_parts_are_typed_and_length_prefixed() -> None:
    assert input_digest(["None"]) != input_digest([None])
    assert input_digest(["ab", "c"]) != input_digest(["a", "bc"])
    assert input_digest(["1"]) != input_digest([1])
    assert input_digest(["a\udc80"]) != input_digest(["a"])  # surrogates (undecodable names) count
    assert len(input_digest([])) == 32


@given(st.lists(st.one_of(st.text(), st.none(), st.integers())), st.lists(st.one_of(st.text(), st.none(), st.integers())))
def test_different_inputs_give_different_digests(a: list, b: list) -> None:
    assert (input_digest(a) == input_digest(b)) == (a == b)
