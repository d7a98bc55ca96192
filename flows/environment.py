"""Prefect's environment, set before Prefect is imported: offline, no telemetry, its home under data_dir.

Prefect reads its settings once, when it is first imported, so every entry point (the flow modules,
`pantau run/serve/demo`, the tests) calls `configure_prefect()` first. Values the user already set in
the environment win: only missing ones are filled in.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pantau.core.config import get_settings

# Without these Prefect tries a telemetry DNS lookup (no network here: a delay and a traceback), and a
# fresh home's first ephemeral server start can take longer than Prefect's default 20 s timeout.
OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
}


def prefect_home(data_dir: Path | None = None) -> Path:
    """Where Prefect keeps its database and settings: $PREFECT_HOME, else <data_dir>/prefect."""
    if os.environ.get("PREFECT_HOME"):
        return Path(os.environ["PREFECT_HOME"]).expanduser()
    if data_dir is None:
        data_dir = get_settings().data_dir
    return Path(data_dir) / "prefect"


def configure_prefect(data_dir: Path | None = None, quiet_console: bool = False) -> Path:
    """Fill in the offline defaults and PREFECT_HOME; returns the Prefect home.

    `quiet_console` keeps Prefect's own console lines to warnings and errors (the CLI draws its own
    progress); the server still receives every log line for its UI.
    """
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if quiet_console:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    home = prefect_home(data_dir)
    if "prefect" not in sys.modules:
        # An imported Prefect keeps the home it started with; its child processes must agree with it.
        os.environ.setdefault("PREFECT_HOME", str(home))
    # Prefect creates only the last folder of its home, and a fresh data_dir may not exist yet.
    Path(os.environ.get("PREFECT_HOME", home)).expanduser().mkdir(parents=True, exist_ok=True)
    return home
