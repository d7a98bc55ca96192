"""The outlet registry: every entry loads, the national outlets of the design and government press are
there, and each entry's URL rules tell articles from other pages on real-shaped URLs."""

from __future__ import annotations

import re

import pytest

from pantau.core.outlets import all_outlets, get_outlet, outlet_for_url, url_key

NATIONAL_DOMAINS = {
    "kompas.com", "detik.com", "tempo.co", "antaranews.com", "liputan6.com", "cnnindonesia.com", "cnbcindonesia.com",
    "tribunnews.com", "okezone.com", "republika.co.id", "kumparan.com", "suara.com", "idntimes.com", "merdeka.com",
    "mediaindonesia.com", "katadata.co.id", "tirto.id", "bisnis.com",
}

# outlet id -> (an article URL, a URL of the same outlet that is not an article), in the outlet's real shapes.
URL_SHAPES = {
    "kompas": ("https://www.kompas.com/read/2018/08/14/10320041/laju-digital-sambangi-makassar", "https://www.kompas.com/tag/laju-digital"),
    "detik": ("https://inet.detik.com/cyberlife/d-4175555/facebook-laju-digital", "https://www.detik.com/tag/facebook"),
    "tempo": ("https://bisnis.tempo.co/read/1117123/facebook-gelar-laju-digital", "https://www.tempo.co/indeks/2018-08-14"),
    "antaranews": ("https://www.antaranews.com/berita/737654/facebook-latih-ukm", "https://www.antaranews.com/foto/737655/seminar"),
    "liputan6": ("https://www.liputan6.com/tekno/read/3612345/facebook-latih-ukm", "https://www.liputan6.com/tag/facebook"),
    "cnnindonesia": ("https://www.cnnindonesia.com/teknologi/20180814103045-185-321456/facebook-latih-ukm", "https://www.cnnindonesia.com/tag/facebook"),
    "cnbcindonesia": ("https://www.cnbcindonesia.com/tech/20180814103045-37-28456/facebook-latih-ukm", "https://www.cnbcindonesia.com/indeks"),
    "tribunnews": ("https://www.tribunnews.com/bisnis/2018/08/16/ukm-medan-ikuti-laju-digital", "https://www.tribunnews.com/topic/laju-digital"),
    "okezone": ("https://economy.okezone.com/read/2018/08/14/320/1936123/facebook-latih-ukm", "https://www.okezone.com/tag/facebook"),
    "republika": ("https://www.republika.co.id/berita/pdgk4d423/facebook-latih-ukm", "https://www.republika.co.id/tag/facebook"),
    "kumparan": ("https://kumparan.com/kumparantech/facebook-latih-ukm-1533024560938473623", "https://kumparan.com/topic/facebook"),
    "suara": ("https://www.suara.com/tekno/2018/08/14/103045/facebook-latih-ukm", "https://www.suara.com/tag/facebook"),
    "idntimes": ("https://www.idntimes.com/business/economy/rina-sari/facebook-latih-ukm", "https://www.idntimes.com/tag/facebook"),
    "merdeka": ("https://www.merdeka.com/teknologi/facebook-latih-ukm.html", "https://www.merdeka.com/tag/f/facebook/"),
    "mediaindonesia": ("https://mediaindonesia.com/read/detail/177123-facebook-latih-ukm", "https://mediaindonesia.com/tag/facebook"),
    "katadata": ("https://katadata.co.id/digital/teknologi/5e9a4c4a3f2c1/facebook-latih-ukm", "https://katadata.co.id/tag/facebook"),
    "tirto": ("https://tirto.id/facebook-latih-ukm-lewat-laju-digital-cTq8", "https://tirto.id/q/facebook-abc"),
    "bisnis": ("https://ekonomi.bisnis.com/read/20180814/12/827123/facebook-latih-ukm", "https://www.bisnis.com/index"),
    "komdigi": ("https://www.komdigi.go.id/berita/siaran-pers/detail/literasi-digital", "https://www.komdigi.go.id/galeri/foto"),
}


def test_every_entry_loads_with_compiling_patterns() -> None:
    outlets = all_outlets()
    assert len({outlet.id for outlet in outlets}) == len(outlets)
    for outlet in outlets:
        assert outlet.name and outlet.domains and outlet.home.startswith("https://")
        assert outlet.owns_host(re.sub(r"^https://", "", outlet.home).split("/")[0])
        assert outlet.news_sitemaps or outlet.sitemaps or outlet.feeds
        assert outlet.pagination.kind in {"none", "all", "numbered"}
        for pattern in (*outlet.article_url_patterns, *outlet.skip_url_patterns, *outlet.boilerplate_patterns, *(rule.pattern for rule in outlet.key_rules)):
            re.compile(pattern)


def test_national_outlets_and_government_press_are_registered() -> None:
    registered = {domain for outlet in all_outlets() for domain in outlet.domains}
    assert NATIONAL_DOMAINS <= registered
    assert {"komdigi.go.id", "kominfo.go.id"} <= set(get_outlet("komdigi").domains)
    assert get_outlet("komdigi").kind == "government"
    # Every outlet has a URL-shape check below: adding an outlet means adding its shapes.
    assert set(URL_SHAPES) == {outlet.id for outlet in all_outlets()}


@pytest.mark.parametrize("outlet_id", sorted(URL_SHAPES))
def test_article_urls_are_told_from_other_pages(outlet_id: str) -> None:
    article, other = URL_SHAPES[outlet_id]
    outlet = get_outlet(outlet_id)
    assert outlet_for_url(article) is outlet
    assert outlet.is_article_url(article)
    assert not outlet.is_article_url(other)


def test_mobile_amp_and_tracking_variants_share_one_key() -> None:
    canonical = "https://www.kompas.com/read/2018/08/14/10320041/laju-digital"
    for variant in (
        "https://amp.kompas.com/read/2018/08/14/10320041/laju-digital",
        "https://www.kompas.com/amp/read/2018/08/14/10320041/laju-digital",
        "https://m.kompas.com/read/2018/08/14/10320041/laju-digital?page=all&utm_source=facebook",
    ):
        assert url_key(variant) == url_key(canonical)
    assert url_key("https://m.tribunnews.com/amp/bisnis/2018/08/16/x?utm_source=rss") == url_key("https://www.tribunnews.com/bisnis/2018/08/16/x")


def test_unknown_outlet_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="known outlets"):
        get_outlet("no-such-outlet")


def test_media_indonesia_current_article_urls_are_articles() -> None:
    from pantau.core.outlets import get_outlet

    outlet = get_outlet("mediaindonesia")
    assert outlet.is_article_url("https://mediaindonesia.com/ekonomi/851796/menkominfo-dorong-umkm-go-digital")
    assert not outlet.is_article_url("https://mediaindonesia.com/ekonomi")
    assert not outlet.is_article_url("https://mediaindonesia.com/tag/umkm")
