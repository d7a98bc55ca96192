"""Configuration: defaults, pantau.toml, environment, masking of secrets."""

from __future__ import annotations

import json
import tomllib

from pantau.cli.main import run
from pantau.core.config import Settings, reload_settings
from tests.conftest import PROJECT_ROOT


def _flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_shipped_pantau_toml_documents_every_key_with_its_default(monkeypatch) -> None:
    shipped = _flatten(tomllib.loads((PROJECT_ROOT / "pantau.toml").read_text()))
    for name in ("PANTAU_DATA_DIR", "PANTAU_MODELS_DIR", "PANTAU_CONFIG", "PANTAU_CAMPAIGNS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PANTAU_CONFIG", "/nonexistent/pantau.toml")
    defaults = _flatten(Settings().model_dump(mode="json"))
    # data_dir/models_dir are resolved to absolute paths; compare what the file says literally.
    defaults["data_dir"] = "data"
    defaults["smtp.password"] = ""
    defaults["web.admin_token"] = ""
    defaults.pop("models_dir")
    assert shipped == defaults


def test_file_then_environment_precedence(tmp_path, monkeypatch) -> None:
    config = tmp_path / "pantau.toml"
    config.write_text('database_url = "sqlite:///from-file.db"\n[smtp]\nhost = "mail.file.example"\nport = 2525\n')
    monkeypatch.setenv("PANTAU_CONFIG", str(config))
    monkeypatch.setenv("PANTAU_SMTP__HOST", "mail.env.example")
    settings = reload_settings()
    assert settings.smtp.host == "mail.env.example"
    assert settings.smtp.port == 2525
    assert settings.effective_database_url == "sqlite:///from-file.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/pantau")
    assert reload_settings().effective_database_url == "postgresql+psycopg://u:p@db/pantau"


def test_default_database_is_sqlite_in_the_data_dir(tmp_path) -> None:
    settings = reload_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'pantau.db'}"


def test_config_show_masks_secrets(monkeypatch, capsys) -> None:
    monkeypatch.setenv("PANTAU_SMTP__PASSWORD", "hunter2-secret")
    monkeypatch.setenv("PANTAU_WEB__ADMIN_TOKEN", "token-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://pantau:db-secret@db.example/pantau")
    reload_settings()
    assert run(["config", "show", "--json"]) == 0
    out = capsys.readouterr().out
    assert "hunter2-secret" not in out and "token-secret" not in out and "db-secret" not in out
    data = json.loads(out)
    assert data["smtp"]["password"] == "********"
    assert data["database_url"] == "postgresql+psycopg://pantau:***@db.example/pantau"
    assert run(["config", "show"]) == 0
    assert "hunter2-secret" not in capsys.readouterr().out
