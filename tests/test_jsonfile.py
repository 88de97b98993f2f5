"""Documents written by orjson are the documents json wrote: they read back to the same data."""

from __future__ import annotations

import json
import math
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from driftctl.jsonfile import dump_document

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.text()
           | st.floats(allow_nan=True, allow_infinity=True))
DOCS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
                    | st.dictionaries(st.integers(0, 3), inner, max_size=2), max_leaves=12)


def same_data(a: str, b: str) -> bool:
    """Equal after reading back (NaN compared by spelling, since NaN != NaN)."""
    return json.dumps(json.loads(a), sort_keys=True) == json.dumps(json.loads(b), sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(DOCS, st.booleans())
def test_reads_back_to_what_json_wrote(doc, ensure_ascii) -> None:
    ours = dump_document(doc, ensure_ascii=ensure_ascii)
    assert same_data(ours, json.dumps(doc, indent=2, default=str, ensure_ascii=ensure_ascii))
    if ensure_ascii:
        assert ours.isascii()


def test_plain_documents_are_byte_for_byte_the_same() -> None:
    doc = {"schema": "driftctl.diff/v1", "rows": [{"values": {"a": "x", "b": ""}, "details": []}], "n": 3, "e": {},
           "ok": True, "none": None}
    assert dump_document(doc, ensure_ascii=False) == json.dumps(doc, indent=2, ensure_ascii=False)


def test_what_orjson_would_change_is_written_by_json() -> None:
    nan = dump_document({"memory": float("nan"), "error": None})
    assert '"memory": NaN' in nan and math.isnan(json.loads(nan)["memory"])
    assert json.loads(dump_document({1: "int key"})) == {"1": "int key"}
    assert json.loads(dump_document({"big": 2**70})) == {"big": 2**70}
    stamp = datetime(2026, 1, 1, 12, 0)
    assert json.loads(dump_document({"at": stamp})) == {"at": str(stamp)}  # str(), as json's default=str did


def test_nulls_alone_do_not_send_the_document_through_json(monkeypatch) -> None:
    """Every snapshot has nulls; only a non-finite float (which orjson would also write as null) needs json."""
    import driftctl.jsonfile as jsonfile

    doc = {"error": None, "collectors": {"host": {"data": {"load": [0.5, 1.0], "swap": None}}}}
    expected = json.dumps(doc, indent=2)

    def refuse(*_args, **_kwargs):
        raise AssertionError("encoded again by json")

    monkeypatch.setattr(jsonfile.json, "dumps", refuse)
    assert dump_document(doc, ensure_ascii=False) == expected
    monkeypatch.undo()
    deep = {"a": [{"b": (1, {"c": float("-inf")})}], "d": None}
    assert '"c": -Infinity' in dump_document(deep)
