"""The HTTP API and the dashboard: read-only JSON (and CSV) over `pantau.read.queries`, served by FastAPI.

Every list endpoint takes the same filters as `pantau query`, pages with `page`/`page_size` (the size is
capped by the `web.page_size_cap` setting), and has a `.csv` twin that streams every matching row.
Bad input gets a 4xx with a one-line message; endpoints that change data are off unless
`web.admin_token` is set, and then need it as a bearer token.
"""

from __future__ import annotations

import csv
import inspect
import io
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from pantau.core.config import get_settings
from pantau.core.errors import InputError, PantauError
from pantau.core.time import local_date
from pantau.read.export import csv_row
from pantau.read.queries import (
    KINDS,
    Filters,
    Kind,
    NotFoundError,
    PageRequest,
    ResultCache,
    filter_specs,
    iter_query,
    run_query,
    validate_filters,
)
from pantau.store import Store, open_store
from pantau.store.crawl_status import blocked_outlets
from pipeline.version import pipeline_version

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

# The dashboard's scripts and styles come from this server only; data is never run as code.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def filter_params(**texts: str | None) -> Filters:
    """The query filters from the request's parameters (one per declared filter; see `_filter_parameters`)."""
    return Filters.from_texts(texts)


def _filter_parameters() -> inspect.Signature:
    # FastAPI reads a dependency's parameters from its signature: one query parameter per declared
    # filter (pantau.read.queries.filters), so the API has every filter the query layer has.
    return inspect.Signature(
        [
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None, default=Query(None, description=spec.help)
            )
            for name, spec in filter_specs()
        ],
        return_annotation=Filters,
    )


filter_params.__signature__ = _filter_parameters()  # type: ignore[attr-defined]


def create_app(store: Store | None = None, admin_token: str | None = None, page_size_cap: int | None = None) -> FastAPI:
    """The application; `store` defaults to the configured one (opened on first use)."""
    settings = get_settings()
    cap = page_size_cap or settings.web.page_size_cap
    token = admin_token if admin_token is not None else settings.web.admin_token.get_secret_value()
    state: dict[str, Any] = {"store": store}
    store_lock = threading.Lock()

    def get_store() -> Store:
        with store_lock:
            if state["store"] is None:
                state["store"] = open_store()
            return state["store"]

    app = FastAPI(
        title="pantau API",
        version=pipeline_version(),
        description=(
            "Read-only access to Indonesian news coverage of digital-literacy campaigns: articles, statistics "
            "with their sources, places, organisations, people, quotes, stories, weekly coverage and outlets. "
            f"Lists are paged with `page` and `page_size` (at most {cap}); every list has a `.csv` twin."
        ),
    )
    _install_error_handlers(app)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "index.html", {"version": pipeline_version(), "page_size_cap": cap})

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/api/health", tags=["meta"], summary="Store and version")
    def health() -> dict[str, Any]:
        active = get_store()
        return {"status": "ok", "version": pipeline_version(), "database": active.dialect,
                "schema": active.current_revision()}

    @app.get("/api/queries", tags=["meta"], summary="Every query, its columns and sort orders")
    def describe() -> dict[str, Any]:
        return {name: {"description": kind.description, "columns": dict(kind.columns), "sorts": list(kind.sorts),
                       "paged": kind.paginated} for name, kind in KINDS.items()}

    @app.get("/api/crawl/status", tags=["meta"], summary="Outlets the last crawl could not reach (blocked), and why")
    def crawl_status() -> dict[str, Any]:
        with get_store().session() as session:
            blocked = [
                {**block.as_dict(), "since_day": local_date(block.since).isoformat()} for block in blocked_outlets(session)
            ]
        return {"blocked": blocked}

    # Slow aggregates (a campaign's places, every article's coverage) are answered once per change
    # of the store, not once per dashboard visitor.
    cache = ResultCache()
    app.state.result_cache = cache
    for kind in KINDS.values():
        _add_query_routes(app, kind, get_store, cap, cache)

    _add_admin_routes(app, get_store, token)
    return app


def _add_query_routes(app: FastAPI, kind: Kind, get_store: Callable[[], Store], cap: int, cache: ResultCache) -> None:
    sort_help = f"one of: {', '.join(kind.sorts)} (default {kind.default_sort})"

    def list_rows(
        filters: Filters = Depends(filter_params),
        page: int = Query(1, ge=1, le=1_000_000, description="page number, from 1"),
        page_size: int = Query(50, ge=1, description=f"rows per page (capped at {cap})"),
        sort: str | None = Query(None, description=sort_help),
    ) -> dict[str, Any]:
        with get_store().session() as session:
            result = run_query(session, kind.name, filters, PageRequest(page, min(page_size, cap)), sort, cache=cache)
        body = result.as_dict()
        body["page_size_cap"] = cap
        body["next_page"] = page + 1 if result.has_more else None
        return body

    def download(filters: Filters = Depends(filter_params),
                 sort: str | None = Query(None, description=sort_help)) -> StreamingResponse:
        active = get_store()
        # Validate before streaming starts, so a bad filter is a 4xx and not a broken download.
        if sort is not None and sort not in kind.sorts:
            raise InputError(f"cannot sort {kind.name} by {sort!r}; choose one of {', '.join(kind.sorts)}")
        with active.session() as session:
            validate_filters(session, filters)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        return StreamingResponse(
            _csv_lines(active, kind, filters, sort), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="pantau-{kind.name}-{stamp}.csv"'},
        )

    app.add_api_route(f"/api/{kind.name}", list_rows, methods=["GET"], tags=["queries"],
                      summary=kind.description, name=f"list_{kind.name}")
    app.add_api_route(f"/api/{kind.name}.csv", download, methods=["GET"], tags=["downloads"],
                      summary=f"{kind.description} (CSV, every matching row)", name=f"csv_{kind.name}",
                      response_class=StreamingResponse)


def _csv_lines(store: Store, kind: Kind, filters: Filters, sort: str | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(kind.columns), extrasaction="ignore")
    writer.writeheader()
    with store.session() as session:
        for number, row in enumerate(iter_query(session, kind.name, filters, sort), start=1):
            writer.writerow(csv_row(row))
            if number % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


# --------------------------------------------------------------------------- admin (changes data)


def _add_admin_routes(app: FastAPI, get_store: Callable[[], Store], token: str) -> None:
    job: dict[str, Any] = {"running": False, "last": None, "error": None}
    job_lock = threading.Lock()

    def require_admin(authorization: str | None = Header(None, description="Bearer <web.admin_token>")) -> None:
        if not token:
            raise ApiError(403, "endpoints that change data are off; set web.admin_token (PANTAU_WEB__ADMIN_TOKEN) "
                                "to enable them")
        supplied = (authorization or "").removeprefix("Bearer ").strip()
        if not supplied or not secrets.compare_digest(supplied.encode(), token.encode()):
            raise ApiError(401, "a valid admin token is required: send the header 'Authorization: Bearer <token>'")

    def run_process(reprocess: bool, limit: int | None) -> None:
        try:
            from pipeline.process import process_pages  # noqa: PLC0415 - the processing stage (lxml, numpy) loads only when an admin reprocesses

            report = process_pages(get_store(), reprocess=reprocess, limit=limit)
            job.update(last=report.as_dict(), error=None)
        except Exception as error:  # noqa: BLE001 - the status endpoint reports it; the server goes on
            log.exception("admin process job failed")
            job.update(error=f"{type(error).__name__}: {error}")
        finally:
            job["running"] = False

    @app.post("/api/admin/process", tags=["admin"], status_code=202, dependencies=[Depends(require_admin)],
              summary="Process (or re-process) stored pages in the background; needs the admin token")
    def start_process(reprocess: bool = Query(False, description="re-make articles already made by this pipeline version"),
                      limit: int | None = Query(None, ge=1, description="at most this many pages")) -> dict[str, Any]:
        with job_lock:
            if job["running"]:
                raise ApiError(409, "a processing job is already running; poll GET /api/admin/process")
            job["running"] = True
        threading.Thread(target=run_process, args=(reprocess, limit), name="pantau-admin-process", daemon=True).start()
        return {"status": "started", "reprocess": reprocess, "limit": limit}

    @app.get("/api/admin/process", tags=["admin"], dependencies=[Depends(require_admin)],
             summary="State of the last processing job")
    def process_status() -> dict[str, Any]:
        return {"running": job["running"], "last_report": job["last"], "error": job["error"]}


# --------------------------------------------------------------------------- errors


def _install_error_handlers(app: FastAPI) -> None:
    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message, "status": status}, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status, exc.message)

    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return error(404, str(exc))

    @app.exception_handler(InputError)
    async def _bad_input(_request: Request, exc: InputError) -> JSONResponse:
        return error(422, str(exc))

    @app.exception_handler(PantauError)
    async def _unavailable(_request: Request, exc: PantauError) -> JSONResponse:
        log.error("store unavailable: %s", exc)
        return error(503, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
            problems.append(f"{where}: {problem.get('msg', 'invalid')}")
        return error(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404:
            message = "no such page; the API is described at /docs"
        return error(exc.status_code, message)
