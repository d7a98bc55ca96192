"""A local Prefect server for `pantau serve` when no PREFECT_API_URL is configured.

Prefect's ephemeral API (what a plain flow call starts) runs no scheduler, so cron schedules would
never fire; `prefect server start` runs the scheduler, the event triggers and the UI. It keeps its
database in PREFECT_HOME (<data_dir>/prefect), the same one the ephemeral API of `pantau run` and
`pantau demo` uses, so their flow runs show in its UI too.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pantau.core.errors import PantauError

DEFAULT_PORT = 4200
STARTUP_TIMEOUT_S = 120.0
STOP_GRACE_S = 10.0


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def start_local_server(home: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` (own process group, log in <home>/server.log); returns it and its API URL."""
    if not port_is_free(host, port):
        raise PantauError(f"port {port} on {host} is taken (another Prefect server?); pass --prefect-port N, "
                          "or set PREFECT_API_URL to use that server")
    home.mkdir(parents=True, exist_ok=True)
    log_file = open(home / "server.log", "ab")  # noqa: SIM115 - handed to the child, closed when it ends
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port), "--analytics-off"]
    process = subprocess.Popen(
        command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, "PREFECT_HOME": str(home)}, start_new_session=True, preexec_fn=die_with_parent(),
    )
    log_file.close()
    return process, f"http://{host}:{port}/api"


def die_with_parent():  # noqa: ANN201 - a preexec_fn or None
    """On Linux, the server gets SIGTERM when `pantau serve` dies, even by SIGKILL (no orphaned server)."""
    if not sys.platform.startswith("linux"):
        return None

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def set_parent_death_signal() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_parent_death_signal


def wait_until_healthy(api_url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PantauError(f"the Prefect server exited with code {process.returncode} while starting; see {log_path}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_process_group(process)
    raise PantauError(f"the Prefect server did not answer at {api_url} within {timeout_s:.0f} s; see {log_path}")


def stop_process_group(process: subprocess.Popen, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM to the server's process group, SIGKILL if it is still there after `grace_s`."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
