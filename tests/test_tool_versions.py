"""The tool-versions cache file is read once per change, not once per environment of a fleet."""

from __future__ import annotations

import pytest

from driftctl import tool_versions


def test_lookups_read_the_file_again_only_when_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = tool_versions._load
    monkeypatch.setattr(tool_versions, "_load", lambda: reads.append(1) or real())
    assert tool_versions.lookup("a") is None and reads == []  # no file yet: nothing to read
    entry: tool_versions.ToolVersions = {"identity": "i1", "client": "27.0.1", "compose": "2.29.0"}
    tool_versions.store("a", entry)
    tool_versions.store("b", {**entry, "identity": "i2"})
    reads.clear()
    assert [tool_versions.lookup(k) for k in ("a", "b", "a", "c")] == [entry, {**entry, "identity": "i2"}, entry, None]
    assert len(reads) == 1

    tool_versions.store("c", {**entry, "identity": "i3"})  # a write replaces the file: read again
    reads.clear()
    assert tool_versions.lookup("c") == {**entry, "identity": "i3"} and tool_versions.lookup("a") == entry
    assert len(reads) == 1

    tool_versions.path().write_text("not json")  # changed by someone else: read again, and ignored
    assert tool_versions.lookup("a") is None and len(reads) == 2
