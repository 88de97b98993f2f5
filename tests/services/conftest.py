"""Make the bundled services importable: they run from their own folders with flat imports.

The services are not part of the driftctl package; putting their folders on sys.path is
exactly how they run in their containers (``python market_data_server.py`` from /app).
Module names are distinct across the two services so both folders can share one path.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIRS = (REPO_ROOT / "services" / "market-data", REPO_ROOT / "services" / "telegram-bot")

for _service_dir in SERVICE_DIRS:
    if str(_service_dir) not in sys.path:
        sys.path.insert(0, str(_service_dir))
