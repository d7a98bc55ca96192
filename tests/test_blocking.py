"""Wall detection (crawlers/blocking.py): challenge, consent and 403/429 answers, pages that are not the
article, per-outlet signs from the registry, the run of walls that stops an outlet, and no false alarm on
real articles (ones written here that talk about captchas and JavaScript, and ../shared's real pages)."""

from __future__ import annotations

import gzip

import pytest

from crawlers.blocking import Block, WallWatch, build_signs, detect_wall, generic_signs, page_shape, redirect_wall, signs_for
from crawlers.replay.faults import (
    CAPTCHA_ARTICLE,
    CLOUDFLARE_BLOCK,
    CLOUDFLARE_CHALLENGE,
    CONSENT_WALL,
    JAVASCRIPT_BRIEF,
    KOMPAS_CHROME,
    KOMPAS_RELATED,
    NGINX_403,
    PARAGRAPHS,
    article_html,
)
from pantau.core.outlets import get_outlet, outlet_from_entry

ARTICLE_URL = "https://www.kompas.com/read/2024/01/15/10000011/waspada-captcha-palsu"
SIGNS = build_signs(generic_signs())


def wall(body: str | bytes, status: int = 200, headers: dict | None = None, url: str = ARTICLE_URL,
         requested: str = ARTICLE_URL, article: bool = True, signs=SIGNS) -> Block | None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return detect_wall(status=status, headers=headers or {}, body=data, url=url, requested_url=requested, signs=signs, article=article)


def captcha_article() -> str:
    page = article_html("Waspada Captcha Palsu, Modus Baru Pencurian Data Pengguna Internet", CAPTCHA_ARTICLE, extra=KOMPAS_RELATED)
    return page.replace('<nav><a href="/">Home</a></nav>', KOMPAS_CHROME)


# A realistic live-blog style page: the article body is short, the page around it is not, and it
# carries a captcha widget for comments and a consent manager's container, as many real pages do.
COMMENTED_ARTICLE = (
    '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Peramban Lama Tak Bisa Buka Situs Pajak - Tekno</title>'
    '<script src="https://www.google.com/recaptcha/api.js" async defer></script></head><body>'
    + KOMPAS_CHROME
    + "<h1>Peramban Lama Tak Bisa Buka Situs Pajak</h1><div class=\"read__content\">"
    + "".join(f"<p>{text}</p>" for text in [
        "JAKARTA - Direktorat Jenderal Pajak meminta wajib pajak memperbarui peramban sebelum melapor SPT tahunan.",
        "Situs pelaporan kini memakai captcha baru dan JavaScript modern, sehingga peramban lama tidak dapat menampilkannya.",
        "\"Kalau halaman kosong atau captcha tidak muncul, aktifkan JavaScript atau ganti peramban,\" kata petugas layanan.",
    ])
    + '</div><form class="comments"><textarea name="komentar"></textarea><div class="g-recaptcha" data-sitekey="x"></div></form>'
    + '<div id="onetrust-consent-sdk"></div>' + KOMPAS_RELATED + "</body></html>"
)


# -- challenges, consent pages, status walls ------------------------------------------------------

@pytest.mark.parametrize("status", [200, 403, 503])
def test_a_cloudflare_challenge_is_a_challenge_whatever_its_status(status) -> None:
    found = wall(CLOUDFLARE_CHALLENGE, status=status)
    assert found is not None and found.kind == "challenge" and found.http_status == status
    assert found.label == "blocked: challenge page" and found.reason == "blocked_challenge"


def test_the_challenge_header_alone_names_a_challenge() -> None:
    found = wall("<html><body>please wait</body></html>", status=403, headers={"cf-mitigated": "challenge"})
    assert found is not None and found.kind == "challenge" and "cf-mitigated" in found.detail


@pytest.mark.parametrize("page", [
    CLOUDFLARE_BLOCK,
    ("<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>You don't have permission to access "
     "\"http://www.detik.com/\" on this server.<p>Reference #18.4f2d3e17.1705300000.1a2b3c</p></body></html>"),
    ("<html><head><META NAME=\"robots\" CONTENT=\"noindex,nofollow\"><script src=\"/_Incapsula_Resource?SWJIYLWA=719d\"></script>"
     "</head><body><iframe id=\"main-iframe\" src=\"/_Incapsula_Resource?CWUDNSAI=9\">Request unsuccessful. Incapsula incident ID: "
     "1234-5678</iframe></body></html>"),
    "<html><head><title>Sucuri WebSite Firewall - Access Denied</title></head><body><h1>Access Denied - Sucuri Website Firewall</h1></body></html>",
    ("<html><head><title>tempo.co</title></head><body><p>Please enable JS and disable any ad blocker</p>"
     "<script src=\"https://ct.captcha-delivery.com/c.js\"></script></body></html>"),
    "<html><head><title>DDoS-Guard</title></head><body>Checking your browser before accessing</body></html>",
    "<html><body><h2>DDoS protection by Cloudflare</h2><p>Ray ID: 84a1b2c3d4e5f6a7</p></body></html>",
])
def test_block_pages_of_protection_services_are_challenges(page) -> None:
    found = wall(page)
    assert found is not None and found.kind == "challenge", found


def test_a_consent_wall_is_a_consent_page() -> None:
    found = wall(CONSENT_WALL)
    assert found is not None and found.kind == "consent" and found.label == "blocked: consent page"


def test_a_plain_403_and_a_persisting_429_are_walls_by_status() -> None:
    assert wall(NGINX_403, status=403).kind == "http_403"
    assert wall("<html><body><h1>429 Too Many Requests</h1></body></html>", status=429).kind == "http_429"
    assert wall(NGINX_403, status=403).label == "blocked: HTTP 403"
    # Server errors and missing pages are failures of their own, not walls.
    assert wall("<html><body>error</body></html>", status=503, article=False) is None
    assert wall("<html><body>Halaman tidak ditemukan</body></html>", status=404, article=False) is None


# -- not the article -------------------------------------------------------------------------------

def test_an_article_sent_to_the_home_page_or_a_login_page_is_not_the_article() -> None:
    home = redirect_wall(ARTICLE_URL, "https://www.kompas.com/", SIGNS, article=True)
    assert home is not None and home.kind == "not_article" and "home page" in home.detail
    login = redirect_wall(ARTICLE_URL, "https://account.kompas.com/login?next=/read/2024", SIGNS, article=True)
    assert login is not None and login.kind == "not_article" and "login" in login.detail
    consent = redirect_wall(ARTICLE_URL, "https://consent.example-cmp.com/?continue=x", SIGNS, article=False)
    assert consent is not None and consent.kind == "consent"
    # Ordinary redirects: an old address to its current one, a sitemap to the home page (not an article).
    assert redirect_wall(ARTICLE_URL, "https://www.kompas.com/read/2024/01/15/10000011/judul-baru", SIGNS, article=True) is None
    assert redirect_wall("https://www.kompas.com/sitemap.xml", "https://www.kompas.com/", SIGNS, article=False) is None
    # Followed redirects are judged the same way by the page check.
    assert wall(article_html("Kompas.com", PARAGRAPHS), url="https://www.kompas.com/").kind == "not_article"


def test_a_page_with_almost_no_text_is_not_the_article_but_a_short_article_is() -> None:
    shell = '<!DOCTYPE html><html><head><title>Kompas</title><script>window.__APP__={}</script></head><body><div id="app"></div></body></html>'
    found = wall(shell)
    assert found is not None and found.kind == "not_article" and "almost no text" in found.detail
    assert wall(article_html("Pelatihan UKM", PARAGRAPHS[:1])) is None
    # The shape is an article's business only: an empty sitemap error page is left to discovery.
    assert wall(shell, article=False) is None


# -- real articles are not walls --------------------------------------------------------------------

def test_articles_that_talk_about_captchas_and_javascript_are_not_challenges() -> None:
    long_page = captcha_article()
    assert "Verify you are human" in long_page and "Enable JavaScript and cookies to continue" in long_page
    assert wall(long_page) is None
    brief = article_html("Situs Prakerja Sempat Lambat, Pendaftar Diminta Mengulang Captcha", JAVASCRIPT_BRIEF)
    assert page_shape(brief.encode()).words < SIGNS.short_page_words
    assert wall(brief) is None
    assert wall(COMMENTED_ARTICLE) is None


def test_a_short_page_is_judged_by_its_markers_not_by_its_scripts() -> None:
    # Scripts, styles and comments are not visible text: a challenge cannot hide behind a long script.
    padded = CLOUDFLARE_CHALLENGE.replace("</head>", "<script>" + "var x = 1; " * 5000 + "</script><!-- " + "kata " * 5000 + "--></head>")
    assert page_shape(padded.encode()).words < 20
    assert wall(padded).kind == "challenge"


def test_real_pages_are_not_walls(shared_dir) -> None:
    pages = sorted(p for p in (shared_dir / "eval" / "extraction").rglob("*") if p.is_file() and ".htm" in p.name)
    assert len(pages) > 1000
    walls = {}
    for path in pages:
        body = path.read_bytes()
        body = gzip.decompress(body) if path.name.endswith(".gz") else body
        found = wall(body, url="https://example.org/2024/01/15/artikel", requested="https://example.org/2024/01/15/artikel")
        if found is not None:
            walls[path.name] = found
    assert walls == {}


# -- signs from the registry ------------------------------------------------------------------------

def test_an_outlet_adds_its_own_signs_in_its_registry_entry() -> None:
    entry = {
        "id": "contoh", "name": "Contoh", "domains": ["contoh.co.id"], "home": "https://www.contoh.co.id",
        "blocking": {"challenge_titles": ["Mohon tunggu sebentar"], "challenge_markers": ["bot-shield-v2"],
                     "consent_markers": ["persetujuan-data-contoh"], "login_url_patterns": ["/akun/"]},
    }
    outlet = outlet_from_entry(entry)
    signs = signs_for(outlet)
    assert wall("<html><head><title>Mohon tunggu sebentar</title></head><body>...</body></html>", signs=signs).kind == "challenge"
    assert wall('<html><body><div class="bot-shield-v2">Tunggu</div></body></html>', signs=signs).kind == "challenge"
    assert wall('<html><body><div id="persetujuan-data-contoh">Setuju?</div></body></html>', signs=signs).kind == "consent"
    assert redirect_wall("https://www.contoh.co.id/berita/1", "https://www.contoh.co.id/akun/", signs, article=True).kind == "not_article"
    # The generic signs still apply, and another outlet does not get these.
    assert wall(CLOUDFLARE_CHALLENGE, signs=signs).kind == "challenge"
    assert wall('<html><body><div class="bot-shield-v2">Tunggu</div></body></html>', signs=signs_for(get_outlet("kompas"))).kind == "not_article"


def test_an_unknown_blocking_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="blocking"):
        outlet_from_entry({"id": "contoh", "name": "Contoh", "domains": ["contoh.co.id"], "blocking": {"captcha": ["x"]}})


def test_registry_outlets_load_their_signs() -> None:
    for outlet_id in ("kompas", "detik", "tempo"):
        assert signs_for(get_outlet(outlet_id)).challenge_titles


# -- walls in a row ---------------------------------------------------------------------------------

def test_the_outlet_stops_after_the_limit_of_walls_in_a_row() -> None:
    watch = WallWatch(limit=3)
    challenge, forbidden = Block("challenge", "title"), Block("http_403", "403", 403)
    assert not watch.wall(challenge, "https://a/1")
    assert not watch.wall(challenge, "https://a/2")
    watch.reached()  # an article came through: the run of walls starts again
    assert not watch.wall(forbidden, "https://a/3")
    assert not watch.wall(challenge, "https://a/4")
    assert watch.wall(forbidden, "https://a/5")
    assert watch.stop["reason"] == "blocked: HTTP 403" and watch.stop["url"] == "https://a/5" and watch.stop["responses"] == 3
    assert watch.stop["at"].endswith("+00:00")
    # Once stopped, later answers change nothing.
    assert not watch.wall(challenge, "https://a/6")
    watch.reached()
    assert watch.stop["reason"] == "blocked: HTTP 403"


def test_a_limit_of_zero_never_stops() -> None:
    watch = WallWatch(limit=0)
    assert not any(watch.wall(Block("challenge", "x"), f"https://a/{n}") for n in range(10))
    assert watch.stop is None
