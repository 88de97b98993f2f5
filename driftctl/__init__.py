"""driftctl: find and repair drift between the environments of a docker-compose deployment."""

from driftctl import process_exit as _process_exit

__version__ = "0.1.0"

_process_exit.arm()  # first of a command's atexit callbacks, so it runs last (driftctl/process_exit.py)
