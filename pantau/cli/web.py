"""`pantau web`: the HTTP API and the dashboard on one port."""

from __future__ import annotations

import typer

from pantau.cli.app import app
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.store import open_store


@app.command("web")
def web(
    port: int | None = typer.Option(None, "--port", "-p", help="Port to listen on (default: web.port, 8765)."),
    host: str | None = typer.Option(None, "--host", help="Address to bind (default: web.host, 127.0.0.1)."),
    workers: int = typer.Option(1, "--workers", help="Server processes (PostgreSQL stores scale with more)."),
) -> None:
    """Serve the dashboard at / and the read-only JSON API at /api (docs at /docs)."""
    import uvicorn  # noqa: PLC0415 - optional: uvicorn comes with the 'web' extra; only `pantau web` needs it

    settings = get_settings()
    port = port if port is not None else settings.web.port
    host = host or settings.web.host
    if not 0 < port < 65536:
        raise InputError(f"port {port} is out of range; use 1-65535")
    # Open (and migrate) the store before listening, so a bad DATABASE_URL fails here in one line.
    open_store().dispose()
    typer.echo(f"pantau dashboard on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    if workers > 1:
        uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")
    else:
        from web.app import create_app  # noqa: PLC0415 - optional: FastAPI comes with the 'web' extra; only `pantau web` needs it

        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
