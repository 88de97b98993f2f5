"""What the files collector stores: an inventory of the checkout and its uncommitted changes."""

from typing import Literal

from typing_extensions import NotRequired, TypedDict

SpecialType = Literal["symlink", "fifo", "socket", "device", "unreadable"]
Change = Literal["modified", "deleted", "untracked"]


class FileEntry(TypedDict):
    """A regular file has `sha256`, or `fingerprint` when it usually holds credentials; anything
    never opened (a symlink, FIFO, socket, device, or a file it could not read) has `type` and size 0."""

    size: int
    sha256: NotRequired[str]
    fingerprint: NotRequired[str]
    type: NotRequired[SpecialType]


class FilesData(TypedDict):
    git: bool  # the paths come from git (tracked + untracked, not ignored): `changed` is meaningful
    count: int
    total_bytes: int
    files: dict[str, FileEntry]  # path relative to the checkout -> entry
    changed: dict[str, Change]
    unreadable: NotRequired[list[str]]  # only when some files could not be read (snapshot incomplete)
