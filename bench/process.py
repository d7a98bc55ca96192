"""End-to-end throughput of `pantau process` on real-sized articles, against its stages run alone, same run.

Pages: the chrome of the real Indonesian news pages in ../shared/eval/extraction/indonesian (Kompas
357 KB, Detik 120 KB, Tribunnews 126 KB, Media Indonesia 75 KB: head, menus, related links and scripts
kept), each page's body paragraphs replaced by a new body of 290-450 words, with its own title and
address. Bodies are of two kinds, mixed as a crawl of whole outlets mixes them:
- general news: sentences of real Indonesian news (the idner-news-2k set in ../shared/eval/ner, 2,000
  sentences from news sites), drawn at random and set in paragraphs of one to three sentences;
- campaign coverage: paragraphs of the project's replay corpus (crawlers/replay/corpus, Indonesian news
  about the campaigns written for pantau), which campaign matching must compare passage by passage.
`--campaign-share` is the share of campaign coverage (default 0.1; a crawl of whole outlets has far
less: a campaign's coverage is a few hundred articles among the hundreds of thousands an outlet
publishes in a year). `--campaign-share 1` is the worst case. Every page is different, as in a real
crawl: no embedding cached twice and few near-duplicates. The four pages' own bodies are 158-446 words.

In one run, on the same pages, it prints:
- each stage alone: extraction (the process pool), NLP (spaCy pipeline), embeddings (what matching
  asks for: every lead, and the chunks of the articles that could match; embedded and cached as
  `process` does), matching + store (campaign decisions from the cached vectors, the article rows and
  their tags, dedup and stories, one transaction per batch), and their sum;
- `process_pages` with the models already loaded, without and with the overlap (extraction of the
  next batch in the pool while this process works on the current one), articles/s and the seconds of
  each step as the process report counts them;
- `pantau process` as a user runs it (a new process: start-up, default workers, overlap), its wall
  time and the peak memory of its whole process tree (the CLI, the pool's fork server and workers),
  as the sum of PSS (shared pages counted once) and of RSS, sampled every 0.2 s;
- with `--baseline-tree`: `process_pages` of another checkout on the same pages (models loaded first,
  in its own process), and the speed-up against it;
- the load average before and after.

Run: .venv/bin/python bench/process.py [--articles 200] [--campaign-share 0.1] [--batch-size 64] [--workers N]
[--repeat 1] (the embedding model and backend are the configured ones: `PANTAU_EMBEDDING__MODEL`,
`PANTAU_EMBEDDING__BACKEND=torch` for the PyTorch baseline).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
from sqlalchemy import select  # noqa: E402

from pantau.core.outlets import outlet_for_url, url_key  # noqa: E402
from pantau.store import open_store  # noqa: E402
from pantau.store.articles import upsert_article  # noqa: E402
from pantau.store.tables import Page, PagePart  # noqa: E402
from pipeline.analysis import Analyzer, ArticleAnalysis, matching_input  # noqa: E402
from pipeline.dedup import assign_duplicates_and_stories  # noqa: E402
from pipeline.embeddings import embed_articles  # noqa: E402
from pipeline.evaluation import shared_dir  # noqa: E402
from pipeline.extract import extract_article, extract_many  # noqa: E402
from pipeline.nlp import annotate_many  # noqa: E402
from pipeline.process import chunked, process_pages, stored_vectors  # noqa: E402
from pipeline.version import pipeline_version  # noqa: E402

CORPUS = ROOT / "crawlers" / "replay" / "corpus" / "articles"
NEWS_SENTENCES = ("eval/ner/idner-news-2k/train.txt", "eval/ner/idner-news-2k/dev.txt", "eval/ner/idner-news-2k/test.txt")
# The real pages, the address each copy gets (a path per copy) and its outlet.
TEMPLATES = (
    ("htmldate/tests/eval/money.kompas.com-Menhub.html", "https://money.kompas.com/read/2023/11/02/21341{n:04d}/bench-artikel-{n}"),
    ("htmldate/tests/eval/health.detik.com-Stroke.html", "https://health.detik.com/berita-detikhealth/d-70{n:05d}/bench-artikel-{n}"),
    ("htmldate/tests/test_set/1595907782.html", "https://www.tribunnews.com/nasional/2020/05/04/bench-artikel-{n}"),
    ("fundus/tests/resources/parser/test_data/id/MediaIndonesia_2026_01_20.html.gz", "https://mediaindonesia.com/nasional/8{n:05d}/bench-artikel-{n}"),
)
WORDS = (290, 450)


def corpus_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(CORPUS.glob("*.json")):
        paragraphs += json.loads(path.read_text(encoding="utf-8"))["paragraphs"]
    return paragraphs


def news_sentences() -> list[str]:
    """The sentences of the idner-news-2k set (CoNLL: one token per line), as written text."""
    sentences = []
    for relative in NEWS_SENTENCES:
        path = shared_dir() / relative
        if not path.exists():
            sys.exit(f"missing {path}; this benchmark needs ../shared (or PANTAU_SHARED)")
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            tokens = [line.split(" ")[0] for line in block.splitlines() if line.strip()]
            if len(tokens) >= 6:
                sentences.append(detokenize(tokens))
    return sentences


def detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return re.sub(r'" ([^"]*?) "', r'"\1"', text)


def general_news_body(sentences: list[str], rng: random.Random, target: int) -> list[str]:
    paragraphs, words = [], 0
    while words < target:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return paragraphs


def campaign_body(pool: list[str], rng: random.Random, target: int) -> list[str]:
    paragraphs, words = [], 0
    while words < target:
        paragraph = rng.choice(pool)
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return paragraphs


def body_container(tree):  # noqa: ANN001, ANN201 - lxml elements
    """The element whose own <p> children hold the most words: the article body of a news page."""
    return max((el for el in tree.iter() if isinstance(el.tag, str)),
               key=lambda el: sum(len(child.text_content().split()) for child in el if child.tag == "p"))


def make_page(template: bytes, old_title: str, url: str, title: str, paragraphs: list[str]) -> bytes:
    tree = lxml.html.fromstring(template)
    body = body_container(tree)
    old = [child for child in body if child.tag == "p"]
    anchor = body.index(old[0])
    for child in old:
        body.remove(child)
    for offset, text in enumerate(paragraphs):
        paragraph = lxml.html.Element("p")
        paragraph.text = text
        body.insert(anchor + offset, paragraph)
    for element in tree.iter("title", "h1"):
        element.text = title
    for meta in tree.iter("meta"):
        if meta.get("property") in ("og:title", "twitter:title") or meta.get("name") in ("twitter:title", "title"):
            meta.set("content", title)
        if meta.get("property") == "og:url":
            meta.set("content", url)
    for link in tree.iter("link"):
        if link.get("rel") == "canonical":
            link.set("href", url)
    page = lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>").decode("utf-8")
    # The title also sits in JSON-LD and outlet meta fields: every copy gets its own.
    for form in (old_title, html.escape(old_title, quote=False), html.escape(old_title)):
        page = page.replace(form, title)
    return page.encode("utf-8")


def make_pages(count: int, seed: int = 14, campaign_share: float = 1.0) -> list[tuple[str, bytes]]:
    """`count` pages, every n-th one campaign coverage so that their share is `campaign_share`."""
    root = shared_dir() / "eval" / "extraction" / "indonesian"
    templates = []
    for relative, address in TEMPLATES:
        path = root / relative
        if not path.exists():
            sys.exit(f"missing {path}; this benchmark needs ../shared (or PANTAU_SHARED)")
        data = path.read_bytes()
        data = gzip.decompress(data) if path.suffix == ".gz" else data
        templates.append((data, extract_article(data, address.format(n=0)).title or "", address))
    pool = corpus_paragraphs()
    sentences = news_sentences() if campaign_share < 1 else []
    rng = random.Random(seed)
    pages = []
    for n in range(count):
        template, old_title, address = templates[n % len(templates)]
        target = rng.randint(*WORDS)
        coverage = int((n + 1) * campaign_share) > int(n * campaign_share)
        chosen = campaign_body(pool, rng, target) if coverage else general_news_body(sentences, rng, target)
        title = f"{' '.join(chosen[0].split()[:9]).rstrip(',.')} ({n})"
        url = address.format(n=n)
        pages.append((url, make_page(template, old_title, url, title, chosen)))
    return pages


def write_pages(database_url: str, pages: list[tuple[str, bytes]]) -> None:
    store = open_store(database_url)
    now = datetime.now(UTC)
    with store.session() as session:
        for url, body in pages:
            outlet = outlet_for_url(url)
            page = Page(url_key=url_key(url), url=url, final_url=url, outlet_id=outlet.id if outlet else None, http_status=200,
                        headers={}, fetched_at=now, part_count=1)
            page.parts = [PagePart(position=0, url=url, html_z=PagePart.compress(body))]
            session.add(page)
    store.dispose()


def copy_store(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


# ------------------------------------------------------------------------------------------- memory


def _tree(pid: int) -> list[int]:
    """`pid` and every process below it (the pool's fork server and its workers included)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _memory_mb(pid: int) -> tuple[float, float]:
    """(PSS, RSS) of one process in MB; zeros once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
        values = {line.split(":")[0]: int(line.split()[1]) for line in lines}
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    return values.get("Pss", 0) / 1024, values.get("Rss", 0) / 1024


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """A process tree, sampled in a thread: the peak of its summed PSS and RSS, and the CPU seconds its
    processes used while sampled (workers that come and go included, to the last 0.2 s of each)."""

    def __init__(self, pid: int, every_s: float = 0.2, whole: bool = False) -> None:
        self.pid, self.every_s, self.whole = pid, every_s, whole
        self.peak_pss = self.peak_rss = 0.0
        self.peak_processes = 0
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_seconds(self) -> float:
        return sum(self._last[pid] - self._first[pid] for pid in self._last)

    def __enter__(self) -> TreeSampler:
        self._sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:  # noqa: ANN002
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._sample()

    def _sample(self, initial: bool = False) -> None:
        tree = _tree(self.pid)
        sizes = [_memory_mb(pid) for pid in tree]
        self.peak_pss = max(self.peak_pss, sum(pss for pss, _ in sizes))
        self.peak_rss = max(self.peak_rss, sum(rss for _, rss in sizes))
        self.peak_processes = max(self.peak_processes, len(tree))
        for pid in tree:
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                # What a process used before the sampler started does not count; one that starts later counts whole.
                self._first.setdefault(pid, cpu if initial and not self.whole else 0.0)
                self._last[pid] = cpu


# ------------------------------------------------------------------------------------------- stages


class Timed:
    """Wall and CPU seconds (this process's threads, its pool's fork server and workers) of a block."""

    def __enter__(self) -> Timed:
        self.sampler = TreeSampler(os.getpid()).__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:  # noqa: ANN002
        self.wall = time.perf_counter() - self.started
        self.sampler.__exit__(*exc_info)
        self.cpu = self.sampler.cpu_seconds


def stages_alone(database_url: str, analyzer: Analyzer, workers: int | None, batch_size: int) -> tuple[int, dict[str, Timed]]:
    """(articles, the time of each stage) run on its own over every page of the store at `database_url`."""
    store = open_store(database_url)
    with store.session() as session:
        pages = list(session.scalars(select(Page).order_by(Page.id)))
        jobs = [(page.id, page.html_parts(), page.final_url or page.url) for page in pages]
    timings: dict[str, Timed] = {}

    with Timed() as timings["extraction"]:
        outcomes = dict(extract_many(jobs, workers=workers))
    extracted = [outcomes[page.id] for page in pages]
    for page, article in zip(pages, extracted, strict=True):
        article.url = page.url
    articles = [article for article in extracted if getattr(article, "is_article", False) and article.text]

    with Timed() as timings["nlp"]:
        tags = list(annotate_many(analyzer.nlp, ((article.text, article.dateline) for article in articles)))

    by_batch = list(zip(chunked(articles, batch_size), chunked(tags, batch_size), strict=True))
    inputs = [matching_input(ArticleAnalysis(extracted=article, tags=article_tags))
              for article, article_tags in zip(articles, tags, strict=True)]
    needed = dict(zip((id(article) for article in articles), analyzer.matcher.needs_passages(inputs), strict=True))
    print(f"  {sum(needed.values())} of {len(articles)} articles could match a campaign: every passage of theirs is embedded, "
          "the others' lead alone")
    with Timed() as timings["embeddings"]:
        for batch, _ in by_batch:
            with store.session() as session:  # what matching asks for: every lead, the chunks of those that could match
                embed_articles(session, analyzer.embedder, [a.text for a in batch], [needed[id(a)] for a in batch])

    version = pipeline_version()
    page_of = {id(article): page for page, article in zip(pages, extracted, strict=True)}
    with Timed() as timings["matching+store"]:
        for batch, batch_tags in by_batch:
            with store.session() as session:
                analyses = [ArticleAnalysis(extracted=article, tags=article_tags)
                            for article, article_tags in zip(batch, batch_tags, strict=True)]
                # Read back from the cache: nothing embedded.
                decisions = analyzer.matcher.match_many([matching_input(a) for a in analyses], stored_vectors(session, analyzer))
                ids = []
                for article, analysis, article_decisions in zip(batch, analyses, decisions, strict=True):
                    analysis.decisions = article_decisions
                    page = page_of[id(article)]
                    fields = analysis.article_fields(version, page_id=page.id)
                    fields["url_key"], fields["outlet_id"] = page.url_key, fields["outlet_id"] or page.outlet_id
                    ids.append(upsert_article(session, fields, analysis.tags, analysis.campaign_rows()).id)
                assign_duplicates_and_stories(session, ids, analyzer.embedder)
    store.dispose()
    return len(articles), timings


def process_in_this_process(database_url: str, analyzer: Analyzer, workers: int | None, batch_size: int, overlap: bool) -> dict:
    store = open_store(database_url)
    with Timed() as timed:
        report = process_pages(store, batch_size=batch_size, workers=workers, analyzer=analyzer, overlap=overlap)
    store.dispose()
    return {"wall": timed.wall, "cpu": timed.cpu, "report": report.as_dict()}


# `process_pages` of another checkout (the baseline), run in its own process with its own code and models.
_PROCESS_IN_TREE = """
import json, sys, time
sys.path.insert(0, ".")
from pantau.store import open_store
from pipeline.analysis import Analyzer
from pipeline.process import process_pages
url, batch_size, workers, overlap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) or None, sys.argv[4] == "1"
analyzer = Analyzer()
store = open_store(url)
started, cpu = time.perf_counter(), time.process_time()
report = process_pages(store, batch_size=batch_size, workers=workers, analyzer=analyzer, overlap=overlap)
print(json.dumps({"wall": time.perf_counter() - started, "parent_cpu": time.process_time() - cpu,
                  "embedder": repr(analyzer.embedder), "report": report.as_dict()}))
"""


def process_in_tree(tree: Path, database_url: str, batch_size: int, workers: int | None, backend: str, overlap: bool) -> dict:
    """`process_pages` (models loaded first) of the checkout at `tree`, with `backend`, on the store at `database_url`."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(tree), "PANTAU_EMBEDDING__BACKEND": backend}
    command = [sys.executable, "-c", _PROCESS_IN_TREE, database_url, str(batch_size), str(workers or 0), "1" if overlap else "0"]
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the baseline in {tree} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def process_command(database_url: str, batch_size: int, workers: int | None) -> dict:
    """`pantau process` in a new process, as a user runs it; wall time and the peak memory of its tree."""
    command = [sys.executable, "-m", "pantau.cli.main", "process", "--json", "--batch-size", str(batch_size)]
    if workers:
        command += ["--workers", str(workers)]
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    with TreeSampler(child.pid, whole=True) as sampler:
        out, err = child.communicate()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"pantau process failed ({child.returncode}): {err[-2000:]}")
    return {"wall": wall, "cpu": sampler.cpu_seconds, "report": json.loads(out.strip().splitlines()[-1]),
            "peak_pss_mb": sampler.peak_pss, "peak_rss_mb": sampler.peak_rss, "processes": sampler.peak_processes}


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--campaign-share", type=float, default=0.1, help="share of campaign coverage among the bodies (0-1)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of process without / with overlap, alternating")
    parser.add_argument("--skip-alone", action="store_true", help="skip the stages run alone")
    parser.add_argument("--skip-cli", action="store_true", help="skip `pantau process` in a new process")
    parser.add_argument("--baseline-tree", type=Path, help="another checkout (e.g. `git worktree add /tmp/base 58454b0`, with "
                        "its own .venv and data/models or links to these) whose process_pages runs on the same pages first")
    parser.add_argument("--baseline-backend", default="torch", help="its embedding backend (default torch, the reference)")
    parser.add_argument("--baseline-overlap", action="store_true", help="let the baseline extract one batch ahead")
    args = parser.parse_args()
    print(f"load average at start: {load()}  (cores: {os.cpu_count()})")

    work = Path(tempfile.mkdtemp(prefix="pantau-bench-process-"))
    try:
        pages = make_pages(args.articles, campaign_share=args.campaign_share)
        template = work / "pages.db"
        write_pages(f"sqlite:///{template}", pages)
        sizes = sorted(len(body) for _, body in pages)
        print(f"{len(pages)} pages, {sizes[len(sizes) // 2] // 1024} KB median HTML; batch size {args.batch_size}, "
              f"workers {args.workers or os.cpu_count()}")

        started = time.perf_counter()
        analyzer = Analyzer()
        print(f"models loaded in {time.perf_counter() - started:.1f} s; embedder {analyzer.embedder!r}")

        total_wall = total_cpu = 0.0
        if not args.skip_alone:
            count, alone = stages_alone(copy_store(template, work / "alone.db"), analyzer, args.workers, args.batch_size)
            total_wall, total_cpu = sum(t.wall for t in alone.values()), sum(t.cpu for t in alone.values())
            print(f"stages alone ({count} articles):        wall s  articles/s   CPU s  CPU ms/article")
            for stage, timed in [*alone.items(), ("sum", None)]:
                wall, cpu = (timed.wall, timed.cpu) if timed else (total_wall, total_cpu)
                print(f"  {stage:<30} {wall:7.1f} {count / wall:10.2f} {cpu:7.1f} {1000 * cpu / count:10.0f}")
            print(f"  a CPU-bound ceiling for {os.cpu_count()} idle cores: {os.cpu_count() * count / total_cpu:.1f} articles/s")

        if args.baseline_tree:
            base = process_in_tree(args.baseline_tree.resolve(), copy_store(template, work / "baseline.db"), args.batch_size,
                                   args.workers, args.baseline_backend, args.baseline_overlap)
            report = base["report"]
            print(f"baseline: process_pages of {args.baseline_tree} ({base['embedder']}, "
                  f"{'with' if args.baseline_overlap else 'without'} overlap), models loaded: {report['articles']} articles in "
                  f"{base['wall']:.1f} s = {report['articles'] / base['wall']:.2f} articles/s; steps (s): {report['seconds']}")

        runs: dict[bool, list[dict]] = {False: [], True: []}
        for repeat in range(args.repeat):
            for overlap in (False, True):
                url = copy_store(template, work / f"process-{overlap}-{repeat}.db")
                runs[overlap].append(process_in_this_process(url, analyzer, args.workers, args.batch_size, overlap))
        for overlap, results in runs.items():
            for result in results:
                report = result["report"]
                print(f"process_pages, models loaded, {'with' if overlap else 'without'} overlap: "
                      f"{report['articles']} articles in {result['wall']:.1f} s = "
                      f"{report['articles'] / result['wall']:.2f} articles/s, {result['cpu']:.1f} CPU s; "
                      f"steps (s): {report['seconds']}")
        best = {overlap: min(result["wall"] for result in results) for overlap, results in runs.items()}
        print(f"overlap speed-up: {best[False] / best[True]:.2f}x (best of {args.repeat})")
        if args.baseline_tree:
            print(f"process with overlap / baseline: {base['wall'] / best[True]:.2f}x")
        if not args.skip_alone:
            print(f"sum of the stages alone / process with overlap: {total_wall / best[True]:.2f}x "
                  f"(above 1: the overlap hides some stages' time behind others')")

        if not args.skip_cli:
            cli = process_command(copy_store(template, work / "cli.db"), args.batch_size, args.workers)
            report = cli["report"]
            print(f"`pantau process` (new process, start-up included): {report['articles']} articles in "
                  f"{cli['wall']:.1f} s = {report['articles'] / cli['wall']:.2f} articles/s, {cli['cpu']:.1f} CPU s; "
                  f"peak memory of its {cli['processes']} processes: "
                  f"{cli['peak_pss_mb']:.0f} MB PSS, {cli['peak_rss_mb']:.0f} MB RSS summed; steps (s): {report['seconds']}")
        print(f"load average at end: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
