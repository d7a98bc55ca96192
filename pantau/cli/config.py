"""`pantau config show|path`."""

from __future__ import annotations

import json

import typer

from pantau.cli.app import config_app
from pantau.core.config import config_file_path, get_settings, masked_settings


@config_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of TOML-like lines.")) -> None:
    """Print the effective configuration (defaults < pantau.toml < environment), secrets masked."""
    data = masked_settings(get_settings())
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    path = config_file_path()
    print(f"# configuration file: {path} ({'found' if path.exists() else 'not found, defaults used'})")
    for key, value in data.items():
        if not isinstance(value, dict):
            print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for key, value in data.items():
        if isinstance(value, dict):
            print(f"\n[{key}]")
            for sub_key, sub_value in value.items():
                print(f"{sub_key} = {json.dumps(sub_value, ensure_ascii=False)}")


@config_app.command("path")
def path() -> None:
    """Print the path of the configuration file pantau reads."""
    print(config_file_path().resolve())
