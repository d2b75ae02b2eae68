"""The executive digest (one row per core task, with trends) and the personal digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from commands.digests.analysis import exec_row
from commands.digests.executive import build_executive_digest, build_personal_digest, share, trend
from commands.digests.model import Action, DigestInput, ExecRow, MeetingToday, WgInfo
from storage.archive import ArchivedMessage

SEOUL = ZoneInfo("Asia/Seoul")
PERIOD = (datetime(2027, 2, 5, 8, 30, tzinfo=SEOUL), datetime(2027, 2, 10, 8, 30, tzinfo=SEOUL))
KIM, LEE = "@kim:gov.kr", "@lee:gov.kr"


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (120, 100, "▲ 20%"),
        (50, 100, "▼ 50%"),
        (100, 100, "= 0%"),
        (1001, 1000, "= 0%"),
        (3, 1, "▲ 200%"),
        (0, 7, "▼ 100%"),
        (5, 0, "▲ 신규"),
        (0, 0, "–"),
    ],
)
def test_trend(now: int, before: int, expected: str) -> None:
    assert trend(now, before) == expected


def test_share() -> None:
    assert (share(3, 9), share(2, 3), share(0, 5), share(0, 0)) == ("33%", "67%", "0%", "–")


ROWS = [
    ExecRow("reg", "규제혁신 <A>", "Regulation", "!a:gov.kr", 120, 100, 48, 3, 1, 2),
    ExecRow("data", "데이터 & 개방", "Open data", "!b:gov.kr", 40, 80, 0, 0, 2, 1),
    ExecRow("new", "신규 과제", "New task", "!c:gov.kr", 0, 0, 0, 1, 0),
]


def test_executive_digest_has_one_row_per_task_and_a_total() -> None:
    notice = build_executive_digest(ROWS, PERIOD)
    assert notice.body.split("\n") == [
        "📊 핵심과제 현황 · 2027-02-10 (수)",
        "• 기간: 2027-02-05 (금) 08:30 – 2027-02-10 (수) 08:30 KST",
        "• 쉬는 날 4일 포함: 설날 전날, 설날, 설날 다음날, 설날 대체 휴일",
        "",
        "과제별",
        "• 규제혁신 <A>: 메시지 120 (▲ 20%) · 완료 할 일 2 · 지연 할 일 3 · 미해결 장애 1"
        " · 부처 간 40%",
        "• 데이터 & 개방: 메시지 40 (▼ 50%) · 완료 할 일 1 · 지연 할 일 0 · 미해결 장애 2"
        " · 부처 간 0%",
        "• 신규 과제: 메시지 0 (–) · 완료 할 일 0 · 지연 할 일 1 · 미해결 장애 0 · 부처 간 –",
        "• 합계: 메시지 160 (▼ 11%) · 완료 할 일 3 · 지연 할 일 4 · 미해결 장애 3 · 부처 간 30%",
    ]
    assert notice.mentions == ()
    assert (
        '<tr><td><a href="https://matrix.to/#/!a:gov.kr">규제혁신 &lt;A&gt;</a></td>'
        "<td>120</td><td>▲ 20%</td><td>2</td><td>3</td><td>1</td><td>40%</td></tr>"
    ) in notice.html
    assert "<td>데이터 &amp; 개방</td>" not in notice.html
    assert notice.html.count("<tr>") == 5  # header, three tasks, total
    assert "<th>부처 간</th>" in notice.html


def test_executive_digest_in_english() -> None:
    body = build_executive_digest(ROWS[:1], PERIOD, "en").body
    assert body.startswith("📊 Core tasks · 2027-02-10 (Wed)\n")
    assert (
        "• Regulation: Messages 120 (▲ 20%) · Actions done 2 · Overdue actions 3 · "
        "Open blockers 1 · Cross-ministry 40%"
    ) in body


def test_exec_row_from_a_wg_digest_input() -> None:
    room = "!a:gov.kr"
    wg = WgInfo("reg", "규제", "Reg", room, {KIM: "행정안전부", LEE: "기획재정부"})
    at = datetime(2027, 2, 8, 10, tzinfo=SEOUL)
    messages = (
        ArchivedMessage("$1", room, KIM, at, "시작"),
        ArchivedMessage("$2", room, LEE, at, "답", thread_root="$1"),
        ArchivedMessage("$3", room, KIM, at, "혼자"),
        ArchivedMessage("$4", room, KIM, datetime(2027, 2, 4, 10, tzinfo=SEOUL), "기간 전"),
    )
    late = Action("A-1", "늦은 일", (KIM,), date(2027, 2, 5), False, at)
    done = Action("A-2", "한 일", (KIM,), date(2027, 2, 5), True, at, room, at)
    earlier = replace(done, id_label="A-3", done_at=datetime(2027, 2, 4, 10, tzinfo=SEOUL))
    data = DigestInput(wg, *PERIOD, date(2027, 2, 10), messages, actions=(late, done, earlier))
    row = exec_row(data, messages_prev=6)
    assert (row.messages, row.messages_prev, row.cross_ministry) == (3, 6, 2)
    assert (row.overdue_actions, row.open_blockers, row.name("en")) == (1, 0, "Reg")
    assert row.done_actions == 1


def test_personal_digest() -> None:
    today = date(2027, 2, 10)
    rooms = {"!a:gov.kr": "규제 <WG>"}
    actions = [
        Action("A-2", "오늘 할 일", (KIM,), today, False, PERIOD[0], "!a:gov.kr"),
        Action("A-1", "늦은 & 일", (KIM, LEE), date(2027, 2, 4), False, PERIOD[0], "!a:gov.kr"),
    ]
    mention = ArchivedMessage(
        "$m", "!a:gov.kr", LEE, datetime(2027, 2, 9, 15, tzinfo=SEOUL), "김 과장님 <확인>?"
    )
    meeting = MeetingToday(
        "점검 회의",
        datetime(2027, 2, 10, 14, tzinfo=SEOUL),
        datetime(2027, 2, 10, 15, 30, tzinfo=SEOUL),
        "https://meet.jit.si/x",
        2,
        0,
        1,
        "!b:gov.kr",
    )
    names = {KIM: "김철수", LEE: "이영희"}
    notice = build_personal_digest(
        KIM,
        actions,
        [replace(mention, sent_at=mention.sent_at.astimezone(UTC))],
        [meeting],
        today=today,
        tz=SEOUL,
        room_names=rooms,
        display_names=names,
    )
    assert notice.body.split("\n") == [
        "🔔 김철수 님 일일 요약 · 2027-02-10 (수)",
        "",
        "내 할 일",
        "• [A-1] 늦은 & 일 — 김철수, 이영희 — ⚠ 6일 지연 (마감 2027-02-04 (목)) · 규제 <WG>",
        "• [A-2] 오늘 할 일 — 김철수 — 📅 오늘 마감 · 규제 <WG>",
        "",
        "답하지 않은 멘션",
        "• 이영희 · 2027-02-09 (화) 15:00 KST: “김 과장님 <확인>?” "
        "https://matrix.to/#/!a:gov.kr/$m · 규제 <WG>",
        "",
        "오늘 내 회의",
        "• 14:00–15:30 점검 회의 — 참여하기: https://meet.jit.si/x · ✅ 2 ❌ 0 ❔ 1",
    ]
    assert notice.mentions == ()
    assert ' · <a href="https://matrix.to/#/!a:gov.kr">규제 &lt;WG&gt;</a>' in notice.html
    assert "&lt;확인&gt;?" in notice.html and "<확인>" not in notice.html


def test_personal_digest_with_nothing_to_do() -> None:
    notice = build_personal_digest(KIM, [], [], [], "en", today=date(2027, 2, 10))
    assert (
        notice.body == "🔔 Daily digest for @kim:gov.kr · 2027-02-10 (Wed): Nothing needs you today"
    )
