"""What `plan` reads besides the snapshots: the uncommitted files of every checkout (scanned for
secrets) and the merge risk in the hub repository.

A live plan reads them on the connections its collection already has open (runner.WhileOpen), so an
SSH environment costs one login (the project standard), not one for the snapshot, one for the
secret scan and one for the hub. Whatever was not read that way (snapshot files, `--cached`, an
environment whose connection failed, a hub other than the expected one) is read as before, through
a transport of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftctl import capabilities
from driftctl.analysis.run import compute_merge_risk, merge_risk_on
from driftctl.analysis.secret_files import has_uncommitted, scan_steps, scan_uncommitted
from driftctl.config import Config
from driftctl.runner import WhileOpen
from driftctl.transport.base import Transport
from driftctl.transport.waits import Steps


class PlanReads:
    """The reads of one plan; `while_open()` hands them to the collection, the `*_for` methods give
    the plan its results (reading only what the collection did not)."""

    def __init__(self, config: Config, names: Sequence[str]):
        self.config = config
        self.hub = expected_hub(config, names)
        self._secret_files: dict[str, list[dict]] = {}  # environment -> findings (or its error entry)
        self._merge_risk: list[dict] | None = None  # None: not computed on the hub's open transport

    def while_open(self) -> WhileOpen:
        """The work for the collection: scan each checkout, then the merge risk in the hub (last)."""
        return WhileOpen(each=self._scan, last=self.hub, with_all=self._merge_risk_steps)

    def secret_files_for(self, snapshots: dict[str, dict]) -> list[dict]:
        return scan_uncommitted(self.config, snapshots, done=self._secret_files)

    def merge_risk_for(self, snapshots: dict[str, dict]) -> list[dict]:
        return self._merge_risk if self._merge_risk is not None else compute_merge_risk(self.config, snapshots)

    def _scan(self, name: str, transport: Transport, snapshot: dict) -> Steps[None]:
        if has_uncommitted(self.config, name, snapshot):
            self._secret_files[name] = yield from scan_steps(name, transport)

    def _merge_risk_steps(self, transport: Transport, snapshots: dict[str, dict]) -> Steps[None]:
        if self.hub is not None:
            self._merge_risk = yield from merge_risk_on(self.config, snapshots, self.hub, transport)


def expected_hub(config: Config, names: Sequence[str]) -> str | None:
    """The hub the plan will pick (PlanContext.hub) if its git can be read: known before collecting,
    so that its connection is the one kept for the merge-risk analysis."""
    here = [n for n in names if n in config.environments
            and capabilities.of(config.environments[n].transport).on_this_machine]
    return "local" if "local" in here else (here[0] if here else None)
