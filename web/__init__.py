"""pantau's HTTP API and dashboard (FastAPI): `pantau web` serves `web.app.create_app()`."""
