"""The HTTP API on SQLite and PostgreSQL: JSON and CSV lists, pages and the cap, bad input, admin token."""

from __future__ import annotations

import csv
import io
import time

import pytest
from fastapi.testclient import TestClient
from test_queries import INJECTIONS, XSS_TITLE, seed_articles

from web.app import create_app

FILTERS = ("campaign", "outlet", "place", "date_from", "date_to", "unit", "organization", "source", "q")
LISTS = ("articles", "statistics", "places", "organizations", "people", "quotes", "stories", "coverage", "outlets",
         "campaigns", "summary")


@pytest.fixture
def client(any_store):
    ids = seed_articles(any_store)
    with TestClient(create_app(any_store, admin_token="", page_size_cap=3)) as test_client:
        test_client.ids = ids
        yield test_client


def test_every_list_answers_json_and_csv(client) -> None:
    for kind in LISTS:
        response = client.get(f"/api/{kind}")
        assert response.status_code == 200, (kind, response.text)
        assert response.json()["kind"] == kind
        download = client.get(f"/api/{kind}.csv")
        assert download.status_code == 200, (kind, download.text)
        assert download.headers["content-type"].startswith("text/csv")
        assert "attachment" in download.headers["content-disposition"]


def test_statistics_carry_source_article_outlet_date_url(client) -> None:
    body = client.get("/api/statistics", params={"campaign": "laju-digital", "unit": "percent", "source": "IdEA"}).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert {key: row[key] for key in ("value", "unit", "subject", "source", "outlet", "published_at", "url")} == {
        "value": 16.0, "unit": "percent", "subject": "UKM berjualan di marketplace", "source": "IdEA",
        "outlet": "detikcom", "published_at": "2018-08-28T09:00:00+07:00", "url": "https://www.detik.example/read/laju-surabaya",
    }
    assert row["sentence"].startswith("Survei IdEA") and row["title"].startswith("Laju Digital: 16 persen")


def test_pages_and_the_cap(client) -> None:
    first = client.get("/api/articles", params={"page_size": 100000, "sort": "oldest"}).json()
    assert first["page_size"] == 3 and first["count"] == 3 and first["has_more"] and first["next_page"] == 2
    second = client.get("/api/articles", params={"page_size": 3, "page": 2, "sort": "oldest"}).json()
    assert second["count"] == 3 and not second["has_more"] and second["next_page"] is None
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    # The CSV has every row, not one page.
    rows = list(csv.DictReader(io.StringIO(client.get("/api/articles.csv").text)))
    assert len(rows) == 6
    assert XSS_TITLE in {row["title"] for row in rows}


def test_csv_columns_are_the_query_columns(client) -> None:
    text = client.get("/api/statistics.csv", params={"unit": "IDR"}).text
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames[:5] == ["id", "value", "value_max", "qualifier", "unit"]
    (row,) = list(reader)
    assert float(row["value"]) == 2.5e12 and row["source"] == "IdEA"


BAD_INPUT = [
    ({"campaign": "tidak-ada"}, 404, "unknown campaign"),
    ({"place": "99"}, 404, "unknown region code"),
    ({"outlet": "nosuch"}, 404, "unknown outlet"),
    ({"place": "Makassar"}, 422, "Kemendagri code"),
    ({"date_from": "2018-13-45"}, 422, "not a date"),
    ({"date_to": "kemarin"}, 422, "not a date"),
    ({"date_from": "2019-01-02", "date_to": "2019-01-01"}, 422, "before"),
    ({"page": "abc"}, 422, "page"),
    ({"page": "0"}, 422, "page"),
    ({"page_size": "-5"}, 422, "page_size"),
    ({"sort": "id desc"}, 422, "cannot sort"),
    ({"q": "%%%"}, 422, "no words"),
]


def test_bad_input_gets_a_message_never_a_500(client) -> None:
    for params, status, message in BAD_INPUT:
        paged = any(name.startswith("page") for name in params)
        for path in ("/api/articles",) if paged else ("/api/articles", "/api/articles.csv"):
            response = client.get(path, params=params)
            assert response.status_code == status, (path, params, response.text)
            assert message in response.json()["error"], (params, response.json())


def test_injection_in_every_filter_never_breaks(client) -> None:
    for name in FILTERS:
        for value in INJECTIONS:
            for kind in ("statistics", "coverage", "places"):
                response = client.get(f"/api/{kind}", params={name: value})
                assert response.status_code in (200, 404, 422), (kind, name, value, response.text)
                assert "error" in response.json() or name in ("q", "unit", "organization", "source")
    assert client.get("/api/summary").json()["items"][0]["articles"] == 6


def test_malformed_query_strings(client) -> None:
    for raw in ("page=1&page=x", "campaign=%ZZ", "date_from=%00", "q=%F0%28%8C%28", "page_size=1e9",
                "campaign=" + "a" * 5000, "&&&=&=", "sort=%27"):
        response = client.get("/api/statistics?" + raw)
        assert response.status_code < 500, (raw, response.text)


def test_unknown_path_and_docs(client) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "/docs" in response.json()["error"]
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/statistics", "/api/statistics.csv", "/api/coverage"} <= set(schema["paths"])
    assert client.get("/api/queries").json()["statistics"]["columns"]["source"]


def test_dashboard_page_and_security_headers(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "dashboard.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/indonesia-outline.json").json()["rings"]


def test_changing_data_is_off_without_a_token(client) -> None:
    response = client.post("/api/admin/process")
    assert response.status_code == 403 and "admin_token" in response.json()["error"]


def test_admin_needs_the_right_token(sqlite_store) -> None:
    with TestClient(create_app(sqlite_store, admin_token="s3cret")) as client:
        assert client.post("/api/admin/process").status_code == 401
        assert client.post("/api/admin/process", headers={"Authorization": "Bearer wrong"}).status_code == 401
        started = client.post("/api/admin/process", headers={"Authorization": "Bearer s3cret"})
        assert started.status_code == 202, started.text
        for _ in range(100):
            status = client.get("/api/admin/process", headers={"Authorization": "Bearer s3cret"}).json()
            if not status["running"]:
                break
            time.sleep(0.05)
        # An empty store: the job runs for real and finds no page to process.
        assert status["error"] is None and status["last_report"]["pages"] == 0
    # GET on the data endpoints needs no token, POST on them is not allowed.
    with TestClient(create_app(sqlite_store, admin_token="s3cret")) as client:
        assert client.get("/api/articles").status_code == 200
        assert client.post("/api/articles").status_code == 405
