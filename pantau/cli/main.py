"""Entry point of the `pantau` console script: loads every command module, runs, turns errors into one line."""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sys
import traceback

import click
import typer

import pantau.cli as package
from pantau.cli.app import GROUPS, app, state
from pantau.core.config import reload_settings
from pantau.core.errors import PantauError

_LOADED = False


@app.callback()
def _global_options(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks and debug logs."),
    config: str | None = typer.Option(None, "--config", help="Path of pantau.toml (default: ./pantau.toml or $PANTAU_CONFIG)."),
) -> None:
    state.verbose = verbose
    if config:
        os.environ["PANTAU_CONFIG"] = config
        reload_settings()
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def load_commands() -> typer.Typer:
    """Import every module of pantau.cli so that its commands register; add the non-empty groups."""
    global _LOADED
    if _LOADED:
        return app

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in {"app", "main"}:
            importlib.import_module(f"pantau.cli.{module.name}")
    for name, group in GROUPS.items():
        if group.registered_commands or group.registered_groups:
            app.add_typer(group, name=name)
    _LOADED = True
    return app


def run(argv: list[str] | None = None) -> int:
    load_commands()
    try:
        app(args=argv, standalone_mode=False)
        return 0
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except PantauError as error:
        _report(f"error: {error}", error.exit_code)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted; re-run the same command to resume", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence must name the failure, not dump it
        _report(f"error: unexpected {type(error).__name__}: {error} (run with --verbose for the traceback)", 1)
        return 1


def _report(line: str, code: int) -> None:
    if state.verbose:
        traceback.print_exc()
    print(line.replace("\n", " "), file=sys.stderr)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
