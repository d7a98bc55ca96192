"""The Typer application and its command groups; command modules attach to these objects."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="pantau",
    help="Monitor Indonesian news coverage of digital-literacy campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

eval_app = typer.Typer(help="Measure extraction, NER, statistics and campaign matching on evaluation sets.", no_args_is_help=True)
db_app = typer.Typer(help="Create and migrate the store.", no_args_is_help=True)
config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
replay_app = typer.Typer(help="Serve the bundled offline demo corpus as a set of news sites.", no_args_is_help=True)
campaigns_app = typer.Typer(help="List, add and test campaign definitions.", no_args_is_help=True)
models_app = typer.Typer(help="Prepare and check the NLP resources and embedding models (offline).", no_args_is_help=True)

GROUPS = {
    "eval": eval_app,
    "db": db_app,
    "config": config_app,
    "replay": replay_app,
    "campaigns": campaigns_app,
    "models": models_app,
}


class State:
    verbose: bool = False


state = State()
