"""Archive search at scale: ingest rate and query latency on synthetic government chat.

Generates deterministic Korean/English working-group messages (100 rooms of 20
ministries over the last year, each room with its own projects), archives them into a
fresh database, then times a query mix (two-syllable words, longer and compound
words, several words, rare and absent terms, English) as an official who is in 10 of the
100 rooms would search.

    .venv/bin/python bench/search.py [--backend sqlite|postgres] [--sizes 10000,1000000]

Prints, per size: ingest messages/s and database size; then search p50/p95 (overall and
per query kind) once as ingested and once after `MessageArchive.optimize()` (what a bulk
import or the nightly maintenance leaves). All sizes are queried in turn with the same
queries, so load from other processes weighs on each alike. Targets: p95 < 50 ms at 1M
messages, and 1M p95 <= 2x the 10k p95.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.archive import ArchivedMessage, MessageArchive, SearchQuery  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def vocabulary(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Words from a wrapped string literal (keeps the word lists short to read)."""
    return tuple(text.split(separator))


MINISTRIES = vocabulary(
    "기획재정부 행정안전부 과학기술정보통신부 국토교통부 보건복지부 교육부 환경부 "
    "산업통상자원부 고용노동부 농림축산식품부 외교부 법무부 국방부 문화체육관광부 "
    "여성가족부 해양수산부 중소벤처기업부 통일부 국가보훈부 인사혁신처"
)
NOUNS = vocabulary(
    "회의 예산 안전 자료 일정 검토 보고서 공유 계획 추진 과제 사업 정책 점검 협조 요청 "
    "회의록 안건 담당자 결재 시행 개선 데이터 플랫폼 시스템 예산안 집행 성과 평가 지표 "
    "민원 재난 대응 훈련 교육 홍보 보안 클라우드 디지털 전환 협업지도 지식공유 범정부 "
    "규제 법령 개정안 설명회 간담회 워크숍 실무 협의 의견 초안 최종본 제출 마감 조율"
)
PROJECTS = vocabulary(
    "스마트시티 탄소중립 디지털플랫폼정부 규제샌드박스 공공데이터개방 재난안전통신망 "
    "마이데이터 청년일자리 지역균형발전 저출생대응 AI바우처 전자정부수출 해양쓰레기저감 "
    "산불대응체계 국민비서 공공클라우드전환 정부혁신평가 적극행정 규제혁신 민원24개편 "
    "범정부지식공유 협업지도고도화 데이터기반행정 국가정보자원관리 정보보호공시 "
    "디지털포용 농촌왕진버스 스마트팜확산 수소경제 반도체인력양성"
)
VERBS = vocabulary(
    "공유합니다|검토 부탁드립니다|확인했습니다|진행하겠습니다|올렸습니다|요청드립니다|"
    "논의가 필요합니다|수정했습니다|반영하겠습니다|참고 바랍니다|회신 부탁드립니다",
    "|",
)
WHEN = vocabulary(
    "오늘|내일|이번 주|다음 주|금요일까지|오전 10시|오후 3시|월말까지",
    "|",
)
ENGLISH = vocabulary(
    "budget meeting agenda draft report review deadline KPI cloud data platform security "
    "Zoom slides minutes follow-up policy pilot dashboard"
)
SHORT = ("네 확인했습니다", "감사합니다", "좋습니다 ㅎㅎ", "넵", "수고하셨습니다", "OK thanks")
QUERIES = {
    "2-syllable": ("회의", "예산", "안전", "자료", "일정"),
    "longer": ("협업지도", "지식공유", "범정부지식공유", "보고서를", "행정안전부"),
    "multi-word": ("예산 회의", "협업지도 공유", "안전 점검 결과", "budget review"),
    "rare": ("탄소중립", "농촌왕진버스", "반도체인력양성", "양자암호통신망"),
    "english": ("Budget", "KPI", "follow-up"),
}
ROOMS, ASKER_ROOMS, DAYS = 100, 10, 365


def particle(word: str, with_final: str, without_final: str) -> str:
    """The particle form that fits the word's last syllable (받침 or not)."""
    last = ord(word[-1]) - 0xAC00
    return with_final if 0 <= last < 11172 and last % 28 else without_final


def sentence(rng: random.Random, room: int) -> str:
    """One chat line: Korean, English or mixed; the room's projects come up often."""
    projects = [PROJECTS[(room * 7 + k) % len(PROJECTS)] for k in range(3)]
    noun = rng.choice(NOUNS[: rng.choice((10, 30, len(NOUNS)))])
    other = rng.choice(NOUNS)
    ministry = MINISTRIES[room % len(MINISTRIES)] if rng.random() < 0.6 else rng.choice(MINISTRIES)
    kind = rng.random()
    if kind < 0.08:
        return rng.choice(SHORT)
    if kind < 0.45:
        return (
            f"{rng.choice(WHEN)} {ministry}{particle(ministry, '과', '와')} {noun} "
            f"{other}{particle(other, '을', '를')} {rng.choice(VERBS)}"
        )
    if kind < 0.75:
        third = rng.choice(NOUNS)
        return (
            f"{rng.choice(projects)} {noun}{particle(noun, '은', '는')} {other} "
            f"{third}{particle(third, '으로', '로')} {rng.choice(VERBS)}"
        )
    if kind < 0.9:
        words = rng.sample(ENGLISH, 3)
        return (
            f"{words[0].capitalize()} for {rng.choice(projects)}: {words[1]} {words[2]} by Friday"
        )
    return f"{noun} {rng.choice(ENGLISH)} 자료 {rng.choice(VERBS)} ({rng.randint(1, 400)}쪽)"


def messages(count: int, seed: int, end: datetime) -> Iterator[ArchivedMessage]:
    """`count` messages, oldest first, spread over the year before `end`."""
    rng = random.Random(seed)
    start = end - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / count
    for n in range(count):
        room = (
            min(int(rng.paretovariate(1.2)) - 1, ROOMS - 1)
            if rng.random() < 0.3
            else rng.randrange(ROOMS)
        )
        yield ArchivedMessage(
            f"$bench{n}",
            f"!room{room:03d}:gov.kr",
            f"@official{rng.randrange(600)}:{room % 20}.go.kr",
            start + step * n + timedelta(seconds=rng.uniform(0, 30)),
            sentence(rng, room),
        )


async def ingest(archive: MessageArchive, count: int, seed: int) -> float:
    """Archive everything in batches; returns messages per second."""
    batch: list[ArchivedMessage] = []
    began = time.perf_counter()
    for message in messages(count, seed, datetime.now(UTC) - timedelta(minutes=5)):
        batch.append(message)
        if len(batch) == 5000:
            await archive.add_many(batch)
            batch.clear()
    await archive.add_many(batch)
    return count / (time.perf_counter() - began)


Timings = dict[str, tuple[list[float], list[int]]]


async def interleaved(archives: list[MessageArchive], rounds: int, seed: int) -> list[Timings]:
    """Milliseconds and hits per query kind, for each archive. Every query (an official in 10
    random rooms) goes to all archives in turn, so background load hits every size alike."""
    rng = random.Random(seed)
    rooms = [f"!room{n:03d}:gov.kr" for n in range(ROOMS)]
    timings: list[Timings] = [{kind: ([], []) for kind in QUERIES} for _ in archives]
    for _ in range(rounds):
        for kind, texts in QUERIES.items():
            query = SearchQuery(rng.choice(texts), tuple(rng.sample(rooms, ASKER_ROOMS)))
            for archive, timing in zip(archives, timings, strict=True):
                began = time.perf_counter()
                page = await archive.search(query)
                timing[kind][0].append((time.perf_counter() - began) * 1000)
                timing[kind][1].append(len(page.hits))
    return timings


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


@asynccontextmanager
async def databases(backend: str, count: int) -> AsyncIterator[list[tuple[str, Path]]]:
    """Migrated, empty databases (on one throw-away PostgreSQL cluster for postgres)."""
    folders = [Path(tempfile.mkdtemp(prefix="sotong-bench-")) for _ in range(count)]
    cluster = None
    try:
        if backend == "postgres":
            from tests.support.postgres import PostgresCluster

            cluster = PostgresCluster(Path("/tmp") / f"sotong-bench-pg-{uuid.uuid4().hex[:8]}")
            cluster.start()
            urls = [cluster.new_database() for _ in folders]
        else:
            urls = [f"sqlite:///{folder / 'bench.db'}" for folder in folders]
        for url in urls:
            await asyncio.to_thread(upgrade, url)
        yield list(zip(urls, folders, strict=True))
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


async def size_mb(db: Database, folder: Path) -> float:
    if db.dialect == "postgresql":
        from sqlalchemy import text

        async with db.session() as session:
            size = await session.execute(text("SELECT pg_database_size(current_database())"))
            return int(size.scalar_one()) / 1e6
    return sum(path.stat().st_size for path in folder.iterdir()) / 1e6


def report(label: str, timings: Timings) -> float:
    """Print p50/p95 per query kind and overall; returns the overall p95."""
    print(f"  search, {label}:")
    for kind, (values, hits) in timings.items():
        p50, p95 = percentiles(values)
        mean_hits = statistics.fmean(hits)
        print(f"    {kind:<11} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {mean_hits:4.1f} hits/page")
    every = [value for values, _hits in timings.values() for value in values]
    p50, p95 = percentiles(every)
    print(f"    {'all':<11} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({len(every)} queries)")
    return p95


async def measure(
    label: str, sizes: list[int], archives: list[MessageArchive], rounds: int, seed: int
) -> list[float]:
    """Warm up, time the query mix on every size, print it; returns each size's p95."""
    await interleaved(archives, 2, seed + 1)
    results = await interleaved(archives, rounds, seed + 2)
    p95s = [
        report(f"{size:,} messages, {label}", t) for size, t in zip(sizes, results, strict=True)
    ]
    if len(sizes) > 1:
        ratio = p95s[-1] / p95s[0]
        print(f"  p95 {sizes[-1]:,} / {sizes[0]:,}, {label}: {ratio:.2f} (target <= 2)")
    return p95s


async def run(backend: str, sizes: list[int], rounds: int, seed: int) -> None:
    """Ingest every size, time searches, optimize, time them again."""
    async with databases(backend, len(sizes)) as places:
        dbs = [Database(url) for url, _folder in places]
        archives = [MessageArchive(db) for db in dbs]
        for size, archive, db, (_url, folder) in zip(sizes, archives, dbs, places, strict=True):
            rate = await ingest(archive, size, seed)
            megabytes = await size_mb(db, folder)
            print(f"{backend} {size:,} messages: ingest {rate:,.0f} msg/s, {megabytes:,.0f} MB")
        await measure("as ingested", sizes, archives, rounds, seed)
        for size, archive in zip(sizes, archives, strict=True):
            began = time.perf_counter()
            await archive.optimize()
            print(f"optimize {size:,}: {time.perf_counter() - began:.1f} s")
        p95s = await measure("after optimize", sizes, archives, rounds, seed)
        print(f"p95 at {sizes[-1]:,}: {p95s[-1]:.1f} ms (target < 50 ms)")
        for db in dbs:
            await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=60, help="query-mix rounds per size")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    await run(options.backend, sizes, options.rounds, options.seed)


if __name__ == "__main__":
    asyncio.run(main())
