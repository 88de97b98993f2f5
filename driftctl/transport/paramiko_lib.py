"""paramiko, imported without loading `invoke` until an ssh_config `Match exec` needs it.

paramiko.config imports invoke at import time, only to run `Match exec` commands (`invoke.run`).
Loading invoke (and the unittest.mock it imports) costs some 20-25 ms of CPU, about a third of
importing paramiko, and the first SSH environment of every run waits for it: both driver threads
block on that import while nothing else can start. So paramiko is imported while `import invoke`
fails, and paramiko.config's `invoke` becomes a stand-in that imports the real module on first use.
A `Match exec` line therefore works as before (tests/transport/test_paramiko_lib.py checks both).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any


class _InvokeOnDemand:
    """Stands for the `invoke` module in paramiko.config until something reads an attribute of it."""

    def __getattr__(self, name: str) -> Any:
        import invoke  # the real one: `Match exec` is about to run
        import paramiko.config

        config: Any = paramiko.config  # its `invoke` global is not in the type stubs
        config.invoke = invoke
        return getattr(invoke, name)


def _import_paramiko() -> Any:
    if "paramiko" in sys.modules or "invoke" in sys.modules:
        import paramiko  # already there (or invoke is): nothing to save

        return paramiko
    sys.modules["invoke"] = None  # type: ignore[assignment]  # `import invoke` raises ImportError
    try:
        import paramiko
        import paramiko.config
    finally:
        del sys.modules["invoke"]
    config: Any = paramiko.config
    if config.invoke is None:
        config.invoke = _InvokeOnDemand()
        config.invoke_import_error = None
    return paramiko


if TYPE_CHECKING:
    import paramiko
else:
    paramiko = _import_paramiko()

__all__ = ["paramiko"]
