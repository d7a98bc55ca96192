"""A fault-injecting replay host: a Kompas-like and an Okezone-like site whose pages misbehave the
way real servers do (4xx/5xx, 429 with Retry-After, slow and truncated responses, wrong charsets,
broken gzip, oversized pages, redirect loops and off-site redirects, sitemaps that are broken XML or
an HTML error page), and outlets that wall the crawler off (403, 429 again after the wait, Cloudflare
challenges sent with 200 and 503, a consent page, articles sent to the home page). Crawl it like any
replay host: `pantau crawl --replay URL --outlet kompas`.

`FAULT_PAGES` says what each article does and what the crawl must end with ("stored" or the failure
reason), and `WALL_SITES` what each walled outlet answers and the reason its run must be stopped with,
so tests read their expectations from the same tables the server serves.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from crawlers.replay.mapping import HOST_SEGMENT
from pantau.core.outlets import get_outlet

KOMPAS_ARTICLE = "/read/2024/01/15/{number}/{slug}"
OKEZONE_ARTICLE = "/read/2024/01/15/1/{number}/{slug}"
REPUBLIKA_ARTICLE = "/berita/s{number}abc/{slug}"
HOSTS = {"kompas": "www.kompas.com", "okezone": "www.okezone.com", "republika": "www.republika.co.id"}
# Above the test cap (PANTAU crawl settings DOWNLOAD_MAXSIZE=200_000 in the fault tests).
HUGE_BYTES = 400_000
SLOW_SECONDS = 4.0


@dataclass(frozen=True)
class FaultPage:
    slug: str
    behaviour: str
    expect: str  # "stored" or the failure reason the crawl must record
    outlet: str = "kompas"
    number: int = 0

    @property
    def path(self) -> str:
        template = {"okezone": OKEZONE_ARTICLE, "republika": REPUBLIKA_ARTICLE}.get(self.outlet, KOMPAS_ARTICLE)
        return template.format(number=self.number, slug=self.slug)

    @property
    def real_url(self) -> str:
        return f"https://{HOSTS[self.outlet]}{self.path}"


FAULT_PAGES = tuple(
    FaultPage(slug, behaviour, expect, outlet, number)
    for number, (slug, behaviour, expect, outlet) in enumerate(
        [
            ("artikel-baik-satu", "ok", "stored", "kompas"),
            ("artikel-baik-dua", "ok", "stored", "kompas"),
            ("halaman-hilang", "status:404", "http_404", "kompas"),
            ("halaman-dihapus", "status:410", "http_410", "kompas"),
            ("server-galat", "status:500", "http_500", "kompas"),
            ("server-sibuk", "status:503", "http_503", "kompas"),
            # Waited out once (Retry-After), then a wall; one wall alone does not stop the outlet.
            ("terlalu-banyak-permintaan", "status:429", "blocked_http_429", "kompas"),
            ("kadang-gagal", "flaky", "stored", "kompas"),
            ("sangat-lambat", "slow", "timeout", "kompas"),
            ("agak-lambat", "slowish", "stored", "kompas"),
            ("html-terpotong", "truncated_html", "stored", "kompas"),
            ("html-rusak", "malformed_html", "stored", "kompas"),
            ("koneksi-terputus", "data_loss", "truncated_response", "kompas"),
            ("latin1-padahal-utf8", "declared_latin1_utf8_body", "stored", "kompas"),
            ("utf8-padahal-latin1", "declared_utf8_latin1_body", "stored", "kompas"),
            ("tanpa-charset", "no_charset", "stored", "kompas"),
            ("gzip-rusak", "broken_gzip", "bad_encoding", "kompas"),
            ("halaman-raksasa", "huge", "too_large", "kompas"),
            ("halaman-raksasa-tanpa-panjang", "huge_unsized", "too_large", "kompas"),
            ("pengalihan-berputar", "redirect_loop", "redirect_loop", "kompas"),
            ("pengalihan-ke-luar", "offsite_redirect", "offsite_redirect", "kompas"),
            ("pengalihan-dalam-situs", "moved", "stored", "kompas"),
            ("bukan-html", "pdf", "not_html", "kompas"),
            ("dilarang-robots", "ok", "robots_forbidden", "kompas"),
            ("artikel-tiga-halaman", "numbered:3", "stored", "okezone"),
            ("halaman-dua-gagal", "numbered_broken", "http_500", "okezone"),
            # Republika here has no sitemap at all: its RSS feed is the fallback, listing each article
            # twice (plain and with tracking parameters on the mobile host).
            ("dari-rss-satu", "ok", "stored", "republika"),
            ("dari-rss-dua", "ok", "stored", "republika"),
            # Real articles that talk about captchas and JavaScript are articles, not challenges.
            ("waspada-captcha-palsu", "captcha_article", "stored", "kompas"),
            ("pendaftaran-prakerja-captcha", "javascript_brief", "stored", "kompas"),
            # A single challenge among good pages: not stored, recorded, the outlet goes on.
            ("tantangan-sekali", "challenge_once", "blocked_challenge", "okezone"),
        ],
        start=100,
    )
)

@dataclass(frozen=True)
class WallSite:
    """A registry outlet that walls the crawler off: what its articles (or, `whole_site`, all its
    addresses) answer while `FaultHTTPServer.walls_up`, and the reason its crawl must stop with."""

    outlet: str
    behaviour: str
    reason: str
    article_path: str
    whole_site: bool = False

    def articles(self) -> list[str]:
        return [
            self.article_path.format(number=number, slug=f"liputan-pelatihan-digital-{number}")
            for number in range(1, WALL_ARTICLES + 1)
        ]

    def real_url(self, path: str) -> str:
        return get_outlet(self.outlet).home + path


WALL_ARTICLES = 10
# Walls take a moment to answer, as real ones do: a local server's instant answers would all be in
# before the spider has read the first, and the test could not see the crawl stop.
WALL_SECONDS = 0.25
WALL_SITES = {
    site.outlet: site
    for site in (
        WallSite("detik", "challenge_503", "blocked: challenge page", "/berita/d-71000{number:02d}/{slug}"),
        WallSite(
            "cnnindonesia",
            "challenge_200",
            "blocked: challenge page",
            "/nasional/202401151000{number:02d}-20-9100{number:02d}/{slug}",
            whole_site=True,
        ),
        WallSite("tempo", "status:403", "blocked: HTTP 403", "/read/18000{number:02d}/{slug}"),
        WallSite("liputan6", "rate_limit", "blocked: HTTP 429 rate limit", "/news/read/55000{number:02d}/{slug}"),
        WallSite("suara", "consent", "blocked: consent page", "/news/2024/01/15/1000{number:02d}/{slug}"),
        WallSite("tribunnews", "to_home", "blocked: not the article", "/nasional/2024/01/15/{slug}"),
    )
}

# Cloudflare's JavaScript challenge ("managed challenge"), as it is sent with 403, 503 or even 200.
CLOUDFLARE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="390">
<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15}body{display:flex;flex-direction:column}</style></head>
<body class="no-js"><div class="main-wrapper" role="main"><div class="main-content">
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "www.detik.com",cType: 'managed',cRay: '84a1b2c3d4e5f6a7',
cH: 'xQ3l9.Tq', cUPMDTk: "\\/?__cf_chl_tk=abc"};var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=84a1b2c3d4e5f6a7';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""

# Cloudflare's block page ("Sorry, you have been blocked"), sent with 200 by some configurations.
CLOUDFLARE_BLOCK = """<!DOCTYPE html><html class="no-js" lang="en-US"><head><title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8"><meta name="robots" content="noindex, nofollow"><link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css"></head>
<body><div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper"><div class="cf-wrapper cf-header cf-error-overview">
<h1 data-translate="block_headline">Sorry, you have been blocked</h1><h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> cnnindonesia.com</h2></div>
<div class="cf-section cf-wrapper"><div class="cf-columns two"><div class="cf-column"><h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
<p data-translate="blocked_why_detail">This website is using a security service to protect itself from online attacks. The action you just performed triggered the security solution. There are several actions that could trigger this block including submitting a certain word or phrase, a SQL command or malformed data.</p></div>
<div class="cf-column"><h2 data-translate="blocked_resolve_headline">What can I do to resolve this?</h2>
<p data-translate="blocked_resolve_detail">You can email the site owner to let them know you were blocked. Please include what you were doing when this page came up and the Cloudflare Ray ID found at the bottom of this page.</p></div></div></div>
<div class="cf-error-footer cf-wrapper"><p><span>Cloudflare Ray ID: <strong>84a1b2c3d4e5f6a8</strong></span> &bull; <span>Performance &amp; security by Cloudflare</span></p></div></div></div></body></html>"""  # noqa: E501 - the page as such a site serves it: one line of its HTML per line here

# A consent wall in place of the article (a consent manager's full-page notice, in Indonesian).
CONSENT_WALL = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Sebelum Anda melanjutkan</title></head>
<body><div class="consent-wall"><h1>Kami menghargai privasi Anda</h1>
<p>Kami dan mitra kami menyimpan dan/atau mengakses informasi pada perangkat, seperti cookie, serta memproses data pribadi, seperti pengenal unik dan informasi standar yang dikirim oleh perangkat, untuk iklan dan konten yang dipersonalisasi, pengukuran iklan dan konten, serta wawasan audiens.</p>
<p>Anda dapat mengubah pilihan kapan saja melalui tautan Pengaturan Privasi di bagian bawah halaman.</p>
<button class="accept">Terima semua</button> <button class="reject">Tolak semua</button> <a href="/privasi">Kelola pilihan</a></div>
<div id="qc-cmp2-container"></div></body></html>"""  # noqa: E501 - the page as such a site serves it: one line of its HTML per line here

NGINX_403 = ("<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr>"
             "<center>nginx</center></body></html>")

# A real-looking article about fake captchas: it quotes the very phrases challenge pages show.
CAPTCHA_ARTICLE = [
    ("JAKARTA, KOMPAS.com - Badan Siber dan Sandi Negara (BSSN) mengingatkan pengguna internet untuk mewaspadai halaman captcha "
     "palsu yang belakangan marak dipakai untuk menyebarkan program pencuri data."),
    ("Modus ini meniru kotak verifikasi yang biasa muncul di situs web. Korban diminta mencentang tulisan \"I'm not a robot\" "
     "atau \"Verify you are human\", lalu diarahkan menyalin sebuah perintah ke komputernya."),
    ("\"Captcha yang asli tidak pernah meminta pengguna menjalankan perintah apa pun di komputer. Kalau diminta menempelkan "
     "sesuatu ke jendela Run, itu pasti penipuan,\" kata juru bicara BSSN dalam keterangan tertulis, Senin (15/1/2024)."),
    ("Menurut BSSN, halaman palsu itu memanfaatkan JavaScript untuk menyalin perintah berbahaya ke papan klip tanpa "
     "sepengetahuan korban. Sepanjang Desember 2023 tercatat lebih dari 1.200 laporan serupa dari 15 provinsi."),
    ("Pakar keamanan siber dari Universitas Indonesia menyarankan pengguna menonaktifkan JavaScript pada situs yang tidak "
     "dikenal dan memperbarui peramban secara berkala. Ia juga meminta pengguna tidak tergesa-gesa ketika sebuah situs "
     "menampilkan pesan \"Enable JavaScript and cookies to continue\" atau \"Just a moment...\"."),
    ("\"Sebagian besar situs memang memakai captcha untuk menyaring bot. Yang perlu dicurigai adalah captcha yang meminta lebih "
     "dari sekadar mencentang kotak atau memilih gambar,\" ujarnya."),
    ("Kementerian Komunikasi dan Informatika melalui program literasi digital Siberkreasi juga menggelar kelas daring tentang "
     "cara mengenali situs palsu. Sejak awal tahun, sekitar 16 persen peserta kelas itu mengaku pernah menemukan captcha yang "
     "mencurigakan."),
    ("Pengguna yang telanjur menjalankan perintah dari captcha palsu diminta segera mengganti kata sandi, mengaktifkan "
     "verifikasi dua langkah, dan melapor melalui kanal aduan siber."),
]
# A short real article that mentions captchas and JavaScript in passing.
JAVASCRIPT_BRIEF = [
    ("JAKARTA, KOMPAS.com - Situs pendaftaran program Kartu Prakerja sempat melambat pada Senin (15/1/2024) pagi karena "
     "lonjakan pengunjung."),
    ("Sejumlah pengguna mengeluhkan captcha yang harus diulang beberapa kali sebelum formulir bisa dikirim. Pengelola menyebut "
     "peramban yang menonaktifkan JavaScript tidak dapat menampilkan formulir pendaftaran."),
    ("\"Kami menambah kapasitas server dan meminta peserta memakai peramban terbaru,\" kata Kepala Komunikasi Manajemen "
     "Pelaksana Program Kartu Prakerja."),
]
KOMPAS_CHROME = (
    '<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/tren">Tren</a> <a href="/tekno">Tekno</a> '
    '<a href="/money">Money</a> <a href="/edukasi">Edukasi</a> <a href="/lifestyle">Lifestyle</a> <a '
    'href="/bola">Bola</a></nav></header>'
)
KOMPAS_RELATED = (
    '<aside class="related"><h3>Baca juga</h3><ul>'
    '<li><a href="/read/2024/01/14/1/kominfo-blokir-situs-judi">Kominfo Blokir Ribuan Situs Judi Online Sepanjang '
    'Pekan Lalu</a></li>'
    '<li><a href="/read/2024/01/13/2/cara-cek-kebocoran-data">Cara Mengecek Apakah Data Pribadi Anda Ikut Bocor</a></li>'
    '<li><a href="/read/2024/01/12/3/umkm-go-digital">Pelaku UMKM di Makassar Ramai-ramai Pindah ke Toko '
    'Daring</a></li></ul></aside>'
    '<footer><p>Copyright 2008 - 2024 PT. Kompas Cyber Media (Kompas Gramedia Digital Group). All Rights Reserved.</p>'
    '<p><a href="/about">Tentang Kami</a> <a href="/pedoman">Pedoman Media Siber</a> <a href="/privasi">Kebijakan Data '
    'Pribadi</a> <a href="/kontak">Kontak</a></p></footer>'
)

PARAGRAPHS = [
    "Pemerintah Kota Makassar mencatat 1.200 pelaku UKM mengikuti pelatihan pemasaran digital sepanjang tahun ini.",
    "\"Kami ingin pelaku usaha kecil bisa menjual produknya ke luar daerah,\" kata Kepala Dinas Koperasi dan UKM setempat.",
    "Menurut survei asosiasi, sekitar 16 persen UKM sudah berjualan melalui marketplace — naik dari tahun lalu.",
    "Anggaran program mencapai Rp 2,5 miliar dan akan dilanjutkan tahun depan di 15 kecamatan.",
]


def article_html(title: str, paragraphs: list[str], charset_meta: str | None = "utf-8", extra: str = "") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"id\"><head>{meta}<title>{title} - Kompas.com</title></head><body>"
            f"<nav><a href=\"/\">Home</a></nav><h1>{title}</h1><div class=\"read__content\">{body}</div>{extra}</body></html>")


class FaultHandler(BaseHTTPRequestHandler):
    server_version = "Apache"
    sys_version = ""
    # One response per connection: close-delimited bodies and cut connections behave as on the wire.
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.server.count(parts.path)
        segments = parts.path.lstrip("/").split("/")
        outlet, real_path = segments[0], "/" + "/".join(segments[1:])
        if outlet == HOST_SEGMENT:
            return self.reply(404, b"not here", "text/plain")
        if outlet in WALL_SITES:
            return self.wall_site(WALL_SITES[outlet], real_path)
        if real_path == "/robots.txt":
            return self.robots(outlet)
        if real_path == "/sitemap-news.xml" and outlet in ("kompas", "okezone"):
            return self.news_sitemap(outlet)
        if outlet == "republika" and real_path == "/rss":
            return self.feed(outlet)
        if outlet == "kompas" and real_path == "/sitemap.xml":
            # Broken XML: cut off in the middle of an element; the first entry is still readable.
            good = next(page for page in FAULT_PAGES if page.slug == "artikel-baik-satu")
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{good.real_url}</loc></url><url><loc>https://www.kompas.com/read/2024/01'
            return self.reply(200, body.encode(), "application/xml")
        if outlet == "kompas" and real_path == "/sitemap-rusak.xml":
            # An error page served with status 200 where a sitemap should be.
            return self.reply(200, b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html")
        page = next((p for p in FAULT_PAGES if p.outlet == outlet and p.path == real_path.removesuffix("-b")), None)
        if page is None:
            return self.reply(404, b"<html><body>Halaman tidak ditemukan</body></html>", "text/html; charset=utf-8")
        return self.serve_page(page, real_path, parts.query)

    def robots(self, outlet: str) -> None:
        lines = ["User-agent: *"]
        if outlet == "kompas":
            forbidden = next(page for page in FAULT_PAGES if page.expect == "robots_forbidden")
            lines += [f"Disallow: {forbidden.path}", "", "Sitemap: https://www.kompas.com/sitemap.xml", "Sitemap: https://www.kompas.com/sitemap-rusak.xml"]
        self.reply(200, ("\n".join(lines) + "\n").encode(), "text/plain")

    def news_sitemap(self, outlet: str) -> None:
        entries = "".join(f"<url><loc>{page.real_url}</loc></url>" for page in FAULT_PAGES if page.outlet == outlet)
        body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        self.reply(200, body.encode(), "application/xml; charset=utf-8")

    def feed(self, outlet: str) -> None:
        items = []
        for page in (p for p in FAULT_PAGES if p.outlet == outlet):
            mobile = page.real_url.replace("://www.", "://m.", 1)
            for link in (page.real_url, f"{mobile}?utm_source=rss&amp;utm_medium=feed"):
                items.append(f"<item><title>{page.slug}</title><link>{link}</link><pubDate>Mon, "
                             "15 Jan 2024 10:00:00 +0700</pubDate></item>")
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f'<title>{outlet}</title>{"".join(items)}</channel></rss>')
        self.reply(200, body.encode(), "application/rss+xml; charset=utf-8")

    def serve_page(self, page: FaultPage, real_path: str, query: str) -> None:  # noqa: C901 - one branch per fault
        behaviour = page.behaviour
        html = article_html(page.slug.replace("-", " ").title(), PARAGRAPHS).encode("utf-8")
        if behaviour == "ok":
            return self.reply(200, html, "text/html; charset=utf-8")
        if behaviour.startswith("status:"):
            status = int(behaviour.split(":")[1])
            headers = {"Retry-After": "1"} if status == 429 else {}
            return self.reply(status, b"<html><body>error</body></html>", "text/html", headers)
        if behaviour == "flaky":
            if self.server.hits[self.path_only()] == 1:
                return self.reply(503, b"busy", "text/plain", {"Retry-After": "0"})
            return self.reply(200, html, "text/html; charset=utf-8")
        if behaviour in ("slow", "slowish"):
            time.sleep(SLOW_SECONDS if behaviour == "slow" else 0.3)
            return self.reply(200, html, "text/html; charset=utf-8")
        if behaviour == "truncated_html":
            return self.reply(200, html[: len(html) // 2], "text/html; charset=utf-8")
        if behaviour == "malformed_html":
            broken = (
                b"<html><head><title>Rusak</title><body><div><p>"
                + PARAGRAPHS[0].encode()
                + b"<p><b>"
                + PARAGRAPHS[2].encode("utf-8")
                + b"</div></i></html><<>>"
            )
            return self.reply(200, broken, "text/html; charset=utf-8")
        if behaviour == "data_loss":
            return self.cut_off(html)
        if behaviour == "declared_latin1_utf8_body":
            return self.reply(
                200, article_html("Latin1", PARAGRAPHS, charset_meta=None).encode("utf-8"), "text/html; charset=iso-8859-1"
            )
        if behaviour == "declared_utf8_latin1_body":
            text = article_html("Kafe di Dénpasar", ["Pengusaha kafé di Dénpasar menjual 300 porsi per hari."], charset_meta=None)
            return self.reply(200, text.encode("latin-1"), "text/html; charset=utf-8")
        if behaviour == "no_charset":
            return self.reply(200, article_html("Tanpa charset", PARAGRAPHS, charset_meta=None).encode("utf-8"), "text/html")
        if behaviour == "broken_gzip":
            return self.reply(200, b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 4, "text/html; charset=utf-8",
                              {"Content-Encoding": "gzip"})
        if behaviour == "huge":
            return self.reply(200, b"<html><body>" + b"<p>isi</p>" * (HUGE_BYTES // 10) + b"</body></html>", "text/html")
        if behaviour == "huge_unsized":
            return self.unsized(b"<html><body>" + b"<p>isi</p>" * (HUGE_BYTES // 10) + b"</body></html>")
        if behaviour == "redirect_loop":
            target = page.path if real_path.endswith("-b") else page.path + "-b"
            return self.reply(302, b"", "text/html", {"Location": f"/kompas{target}"})
        if behaviour == "offsite_redirect":
            return self.reply(
                302, b"", "text/html", {"Location": f"{self.server.base_url}/{HOST_SEGMENT}/evil.example.org/phishing"}
            )
        if behaviour == "moved":
            target = next(p for p in FAULT_PAGES if p.slug == "artikel-baik-dua")
            return self.reply(301, b"", "text/html", {"Location": f"/kompas{target.path}"})
        if behaviour == "pdf":
            return self.reply(200, b"%PDF-1.4\n%binary", "application/pdf")
        if behaviour.startswith("numbered"):
            return self.numbered(page, query)
        if behaviour == "captcha_article":
            html = article_html("Waspada Captcha Palsu, "
                                "Modus Baru Pencurian Data Pengguna Internet", CAPTCHA_ARTICLE, extra=KOMPAS_RELATED)
            return self.reply(
                200, html.replace('<nav><a href="/">Home</a></nav>', KOMPAS_CHROME).encode("utf-8"), "text/html; charset=utf-8"
            )
        if behaviour == "javascript_brief":
            return self.reply(200, article_html("Situs Prakerja Sempat Lambat, Pendaftar Diminta Mengulang "
                                                "Captcha", JAVASCRIPT_BRIEF).encode("utf-8"), "text/html; charset=utf-8")
        if behaviour == "challenge_once":
            return self.reply(
                200,
                CLOUDFLARE_CHALLENGE.encode("utf-8"),
                "text/html; charset=UTF-8",
                {"Server": "cloudflare", "cf-mitigated": "challenge"},
            )
        raise ValueError(f"unknown fault behaviour {behaviour!r}")

    def wall_site(self, site: WallSite, real_path: str) -> None:
        """An outlet behind a wall: robots.txt and its news sitemap answer (unless the whole site is
        walled), its articles are walled while the server's walls are up and served when they are down."""
        walled = self.server.walls_up
        if walled and site.whole_site:
            return self.wall(site, real_path)
        if real_path == "/robots.txt":
            return self.reply(200, f"User-agent: *\nSitemap: {site.real_url('/sitemap-news.xml')}\n".encode(), "text/plain")
        if real_path == "/sitemap-news.xml":
            entries = "".join(
                f"<url><loc>{site.real_url(path)}</loc><lastmod>2024-01-15T10:00:00+07:00</lastmod></url>"
                for path in site.articles()
            )
            body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
            return self.reply(200, body.encode(), "application/xml; charset=utf-8")
        if real_path not in site.articles():
            return self.reply(404, b"<html><body>Halaman tidak ditemukan</body></html>", "text/html; charset=utf-8")
        if not walled:
            title = real_path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").title()
            return self.reply(200, article_html(title, PARAGRAPHS).encode("utf-8"), "text/html; charset=utf-8")
        return self.wall(site, real_path)

    def wall(self, site: WallSite, real_path: str) -> None:
        behaviour = site.behaviour
        time.sleep(WALL_SECONDS)
        if behaviour == "challenge_503":
            return self.reply(
                503,
                CLOUDFLARE_CHALLENGE.encode("utf-8"),
                "text/html; charset=UTF-8",
                {"Server": "cloudflare", "Cache-Control": "private, max-age=0, no-store"},
            )
        if behaviour == "challenge_200":
            return self.reply(200, CLOUDFLARE_BLOCK.encode("utf-8"), "text/html; charset=UTF-8", {"Server": "cloudflare"})
        if behaviour == "status:403":
            return self.reply(403, NGINX_403.encode(), "text/html")
        if behaviour == "rate_limit":
            return self.reply(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>", "text/html", {"Retry-After": "1"})
        if behaviour == "consent":
            return self.reply(200, CONSENT_WALL.encode("utf-8"), "text/html; charset=utf-8")
        if behaviour == "to_home":
            return self.reply(302, b"", "text/html", {"Location": f"/{site.outlet}/"})
        raise ValueError(f"unknown wall behaviour {behaviour!r}")

    def numbered(self, page: FaultPage, query: str) -> None:
        total = int(page.behaviour.split(":")[1]) if ":" in page.behaviour else 2
        number = int(dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair).get("page", "1"))
        if page.behaviour == "numbered_broken" and number == 2:
            return self.reply(500, b"error", "text/plain")
        if number > total:
            return self.reply(404, b"no such page", "text/plain")
        links = "".join(f'<a href="{page.real_url}?page={n}">{n}</a> ' for n in range(1, total + 1) if n != number)
        html = article_html(
            f"Bagian {number}",
            [f"Bagian {number}: {PARAGRAPHS[(number - 1) % len(PARAGRAPHS)]}"],
            extra=f'<div class="paging">{links}</div>',
        )
        self.reply(200, html.encode("utf-8"), "text/html; charset=utf-8")

    def path_only(self) -> str:
        return urlsplit(self.path).path

    def reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def cut_off(self, body: bytes) -> None:
        """Promise the whole body, send a fifth of it, drop the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 5])
        self.wfile.flush()
        self.close_connection = True

    def unsized(self, body: bytes) -> None:
        """A close-delimited body: the size is known only by reading it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


class FaultHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), FaultHandler)
        self.hits: Counter[str] = Counter()
        # While True, the outlets of WALL_SITES wall the crawler off; set it False to let them answer.
        self.walls_up = True
        # When each path was requested (time.monotonic()), to check retry spacing.
        self.times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        """A client that gave up (timeouts, size caps) is part of the scenario, not a server error."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def count(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_fault_server() -> FaultHTTPServer:
    server = FaultHTTPServer()
    threading.Thread(target=server.serve_forever, name="fault-server", daemon=True).start()
    return server

