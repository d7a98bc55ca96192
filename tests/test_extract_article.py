"""extract_article on a realistic Indonesian news page and on bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pantau.core.errors import InputError, PantauError
from pipeline.extract import ExtractedArticle, extract_article, extract_text_document

PAGE = (Path(__file__).parent / "data" / "extraction" / "kompas_like.html").read_text(encoding="utf-8")
URL = "https://regional.kompas.com/read/2023/11/02/213419026/pelatihan-literasi-digital-untuk-umkm-digelar-di-gorontalo"
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def article() -> ExtractedArticle:
    return extract_article(PAGE, URL, now=NOW)


def test_metadata(article: ExtractedArticle) -> None:
    assert article.outlet_id == "kompas" and article.outlet == "Kompas.com"
    assert article.title == "Pelatihan Literasi Digital untuk UMKM Digelar di Gorontalo"
    assert article.canonical_url == URL  # tracking parameter dropped, identity as normalize_url gives it
    assert article.section == "Regional"
    assert article.tags == ["literasi digital", "UMKM", "Gorontalo"]
    assert article.image_url == "https://asset.kompas.com/data/photo/2023/11/02/pelatihan.jpg"
    assert article.language == "id"
    assert article.is_article and not article.is_paywalled


def test_published_at_is_the_instant_in_wib(article: ExtractedArticle) -> None:
    # JSON-LD says 14:34:19 UTC; an Indonesian outlet's time is shown in WIB, the same instant.
    assert article.published_at.isoformat() == "2023-11-02T21:34:19+07:00"
    assert article.updated_at.isoformat() == "2023-11-02T22:00:00+07:00"


def test_authors_are_writers_not_editors_or_publisher(article: ExtractedArticle) -> None:
    assert article.authors == ["Rina Wulandari"]


def test_body_is_clean_with_dateline(article: ExtractedArticle) -> None:
    assert article.dateline == "Gorontalo"
    assert article.paragraphs[0].startswith("Sebanyak 350 pelaku usaha")
    for noise in ("Baca juga", "Simak breaking news", "Periksa kembali", "Data dirimu", "Copyright", "Beranda"):
        assert noise not in article.text
    assert article.text.count("\n") == len(article.paragraphs) - 1
    assert article.removed_lines == 5  # four noise lines and the repeated headline
    assert article.word_count == len(article.text.split())


def test_future_date_is_rejected_for_the_next_source() -> None:
    page = PAGE.replace('"datePublished":"2023-11-02T14:34:19+00:00"', '"datePublished":"2031-01-01T00:00:00+00:00"')
    article = extract_article(page, URL, now=NOW)
    # content_PublishedDate is local time without an offset: Asia/Jakarta.
    assert article.published_at.isoformat() == "2023-11-02T21:34:19+07:00"


def test_non_utc_offset_is_kept() -> None:
    page = PAGE.replace('"datePublished":"2023-11-02T14:34:19+00:00"', '"datePublished":"2023-11-02T22:34:19+08:00"')
    assert extract_article(page, URL, now=NOW).published_at.isoformat() == "2023-11-02T22:34:19+08:00"


def test_paywall_flag() -> None:
    page = PAGE.replace('"isAccessibleForFree": "True"', '"isAccessibleForFree": false')
    assert extract_article(page, URL, now=NOW).is_paywalled


def test_multi_page_article_is_one_text_without_repeated_header() -> None:
    second = PAGE.replace(
        "<p>Menurut panitia",
        "<p>Di halaman kedua, panitia menjelaskan bahwa setiap peserta akan menerima sertifikat dan akses ke kelas lanjutan secara gratis.</p><p>Menurut panitia",
    )
    article = extract_article([PAGE, second], URL, now=NOW)
    single = extract_article(PAGE, URL, now=NOW)
    assert "Di halaman kedua" in article.text
    for paragraph in single.paragraphs:
        assert article.paragraphs.count(paragraph) == 1
    assert article.title == single.title


def test_declared_legacy_encoding_is_honoured() -> None:
    page = PAGE.replace('<meta charset="utf-8">', '<meta charset="windows-1252">').replace("Sebanyak 350", "Sebanyak 350 – “kira-kira”")
    article = extract_article(page.encode("cp1252"), URL, now=NOW)
    assert "Sebanyak 350 – “kira-kira”" in article.text


def test_undeclared_utf8_bytes() -> None:
    page = PAGE.replace('<meta charset="utf-8">', "").replace("Sebanyak 350", "Sebanyak 350 – “kira-kira”")
    assert "“kira-kira”" in extract_article(page.encode("utf-8"), URL, now=NOW).text


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), ("   \n ", "empty"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "binary"), (b"%PDF-1.4\x00\x00\x01", "binary")],
)
def test_bad_input_is_a_clear_error(data, words: str) -> None:
    with pytest.raises(InputError, match=words):
        extract_article(data, URL)


def test_oversized_page_is_refused_quickly() -> None:
    huge = b"<html><body>" + b"<p>kata kata kata</p>" * 1_100_000 + b"</body></html>"
    assert len(huge) > 20_000_000
    with pytest.raises(InputError, match="limit"):
        extract_article(huge, URL)


def test_deeply_nested_markup_does_not_crash() -> None:
    page = "<html><body>" + "<div>" * 5000 + "<p>teks</p>" + "</div>" * 5000 + "</body></html>"
    try:
        result = extract_article(page, "https://example.org/a")
    except PantauError:
        return
    assert not result.is_article


@pytest.mark.parametrize(
    "body",
    [
        "<h2>Kami menggunakan cookie</h2><p>Situs ini menggunakan cookie untuk meningkatkan pengalaman Anda. Dengan mengeklik Terima semua, Anda memberikan persetujuan penggunaan cookie dan pengaturan privasi.</p><button>Terima semua</button><button>Pengaturan privasi</button>",
        "<h2>Masuk untuk melanjutkan</h2><p>Silakan masuk ke akun Anda atau daftar untuk membaca artikel ini. Login dengan email dan kata sandi, atau daftar akun baru gratis.</p><form><input name=email><input type=password></form>",
    ],
)
def test_consent_wall_and_login_prompt_are_not_articles(body: str) -> None:
    page = f"<html lang='id'><head><title>Kompas.com</title></head><body>{body}</body></html>"
    assert not extract_article(page, URL, now=NOW).is_article


@pytest.mark.parametrize(
    "url",
    ["https://www.kompas.com/tag/literasi-digital", "https://video.kompas.com/video/12345/liputan", "https://example.org/search?q=umkm"],
)
def test_index_tag_search_and_video_pages_are_not_articles(url: str) -> None:
    page = PAGE.replace('"@type":"NewsArticle"', '"@type":"CollectionPage"').replace('content="article"', 'content="website"')
    assert not extract_article(page, url, now=NOW).is_article


def test_text_document_is_cleaned_and_identified() -> None:
    text = "JAKARTA, KOMPAS.com - " + " ".join(["Pemerintah meluncurkan program literasi digital untuk pelaku usaha kecil di seluruh provinsi."] * 6) + "\nBaca juga: Program Lain\n"
    article = extract_text_document(text)
    assert article.dateline == "Jakarta"
    assert "Baca juga" not in article.text
    assert article.removed_lines == 1 and article.language == "id" and article.is_article
    with pytest.raises(InputError):
        extract_text_document("  ")
