"""`batch.tar_members` reads a tar archive a target produced: untrusted bytes. Property-based checks
(hypothesis) against `tarfile` as the reference: every archive tarfile writes (GNU, ustar, pax; long
names, hard links, empty files) reads back member for member; any corruption of one (bytes flipped,
cut short, garbage appended) gives members or a BatchParseError, never another exception, and never
a member body longer than the archive that carried it."""

from __future__ import annotations

import io
import tarfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftctl.transport.batch import BatchParseError, tar_members

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = st.sampled_from([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
NAMES = st.text(alphabet="abcxyz0123456789-_./ é", min_size=1, max_size=140).filter(
    lambda n: n.strip("/") and "//" not in n and not n.startswith("/") and n.rstrip() == n)
FILES = st.lists(st.tuples(NAMES, st.binary(max_size=1500)), min_size=1, max_size=6,
                 unique_by=lambda f: f[0])


def archive(files: list[tuple[str, bytes]], fmt: int, link: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, encoding="utf-8") as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(files[0][0] + "-link")
            info.type, info.linkname = tarfile.LNKTYPE, files[0][0]
            tar.addfile(info)
    return buf.getvalue()


def fits(files: list[tuple[str, bytes]], fmt: int) -> bool:
    """ustar cannot hold every long name (tarfile refuses it): such cases are GNU/pax only."""
    try:
        archive(files, fmt, False)
    except ValueError:
        return False
    return True


@FUZZ
@given(files=FILES, fmt=FORMATS, link=st.booleans())
def test_every_archive_tarfile_writes_reads_back_member_for_member(files, fmt, link):
    if not fits(files, fmt):
        return
    data = archive(files, fmt, link)
    with tarfile.open(fileobj=io.BytesIO(data), encoding="utf-8") as tar:
        expected = [(m.name.encode(), m.isreg(), tar.extractfile(m).read() if m.isreg() else b"", m.linkname.encode())
                    for m in tar]
    got = [(m.name.rstrip(b"/"), m.regular, m.data if m.regular else b"", m.linkname) for m in tar_members(data)]
    assert got == [(n.rstrip(b"/"), r, d, ln) for n, r, d, ln in expected]


@FUZZ
@given(files=FILES, fmt=st.sampled_from([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]), link=st.booleans(),
       flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
       cut=st.integers(min_value=0), tail=st.binary(max_size=600))
def test_a_corrupted_archive_gives_members_or_one_parse_error(files, fmt, link, flips, cut, tail):
    data = bytearray(archive(files, fmt, link))
    for at, value in flips:
        data[at % len(data)] = value
    damaged = bytes(data[: cut % (len(data) + 1)]) + tail
    try:
        members = tar_members(damaged)
    except BatchParseError as exc:
        assert "\n" not in str(exc)
        return
    assert all(len(m.data) <= len(damaged) for m in members)


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_members_or_one_parse_error(data):
    try:
        tar_members(data)
    except BatchParseError:
        pass
