"""The `hashtags` tag type: found by its stage, stored, listed by the query layer, the API and the export.

It was added as docs/architecture.md says a tag type is added (its table, its stage, its migration);
these tests show that everything else came from the declaration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pantau.read.export import TABLES
from pantau.read.queries import KINDS, Filters, run_query
from pantau.store.articles import upsert_article
from pipeline.analysis import CONTRACT_KEYS
from pipeline.nlp.assembly import STAGES, build_nlp
from pipeline.nlp.hashtags import find_hashtags

TEXT = (
    "JAKARTA - Gerakan literasi digital kembali digelar dengan tagar #MakinCakapDigital. Peserta diajak "
    "mengikuti akun @siberkreasi dan @kemkominfo untuk jadwal kelas berikutnya, lalu membagikan foto "
    "dengan tagar #makincakapdigital. Pertanyaan dapat dikirim ke humas@kominfo.go.id. Tim kami meraih "
    "peringkat #1 di ajang tersebut, kata panitia di kanal resmi @siberkreasi."
)


def test_hashtags_and_accounts_once_each_with_their_count() -> None:
    assert find_hashtags(TEXT) == [
        {"name": "#MakinCakapDigital", "kind": "hashtag", "mentions": 2},
        {"name": "@siberkreasi", "kind": "account", "mentions": 2},
        {"name": "@kemkominfo", "kind": "account", "mentions": 1},
    ]


@pytest.mark.parametrize("text", [
    "Kirim surat ke redaksi@kompas.com sebelum Senin.",   # an e-mail address
    "Timnas naik ke peringkat #1 Asia Tenggara.",          # a rank
    "Harga naik 10%# menurut data pasar.",                 # a stray symbol
    "Akses laman https://x.com/@siberkreasi/status/1.",     # inside a web address
])
def test_what_is_not_a_hashtag_or_an_account(text: str) -> None:
    assert find_hashtags(text) == []


def test_the_stage_is_in_the_pipeline_and_the_contract() -> None:
    assert "pantau_hashtags" in STAGES and "hashtags" in CONTRACT_KEYS
    doc = build_nlp(stages=("pantau_hashtags",))(TEXT)
    assert [tag["name"] for tag in doc._.hashtags] == ["#MakinCakapDigital", "@siberkreasi", "@kemkominfo"]


def test_stored_hashtags_are_a_query_an_api_route_and_an_export_table(any_store) -> None:
    with any_store.session() as session:
        for number in (1, 2):
            upsert_article(session, {
                "url_key": f"https://www.kompas.com/read/2021/06/1{number}/0800000{number}/literasi",
                "url": f"https://www.kompas.com/read/2021/06/1{number}/0800000{number}/literasi",
                "title": "Literasi digital", "text": TEXT, "outlet_id": "kompas", "outlet_name": "Kompas.com",
                "published_at": datetime(2021, 6, 10 + number, 1, tzinfo=UTC), "pipeline_version": "test",
            }, {"hashtags": find_hashtags(TEXT)})
    with any_store.session() as session:
        result = run_query(session, "hashtags", Filters())
    assert list(KINDS["hashtags"].columns) == ["name", "kind", "articles", "mentions"]
    assert result.rows[0] == {"name": "#MakinCakapDigital", "kind": "hashtag", "articles": 2, "mentions": 4}
    assert "hashtags" in {table.name for table in TABLES}
    from fastapi.testclient import TestClient

    from web.app import create_app

    response = TestClient(create_app(store=any_store)).get("/api/hashtags", params={"outlet": "kompas"})
    assert response.status_code == 200 and response.json()["items"][0]["name"] == "#MakinCakapDigital"
