"""What the code_health collector stores: Python imports no file of the environment provides."""

from typing_extensions import NotRequired, TypedDict


class MissingImport(TypedDict):
    service: str  # the service root's folder name
    file: str  # the importing file, relative to the checkout
    line: int
    module: str  # dotted, with leading dots for relative imports


class NeedsUncommitted(MissingImport):
    provided_by: list[str]  # uncommitted files that make the import resolve in the work tree


class CommitCheck(TypedDict):
    sha: str
    needs_uncommitted: list[NeedsUncommitted]


class CodeHealthData(TypedDict):
    roots: list[str]  # service root folders checked
    modules_checked: int
    missing: list[MissingImport]
    commit: NotRequired[CommitCheck]  # checkouts with a work tree only: the deployed commit's check
