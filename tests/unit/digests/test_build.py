"""The WG daily digest on fixed data: every line of the plain body, escaping in the HTML,
mentions, quiet days, limits and English headings.

The digest is Monday 2026-12-28's: it covers Thursday 24th 08:30 → Monday 08:30, across
Christmas and the weekend, in Asia/Seoul.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from commands.digests.build import build_wg_digest, wg_digest_sections
from commands.digests.model import (
    Action,
    Blocker,
    Decision,
    DigestInput,
    DigestLimits,
    MeetingToday,
    WgInfo,
)
from commands.render import Notice
from storage.archive import ArchivedMessage

SEOUL = ZoneInfo("Asia/Seoul")
ROOM = "!wg:gov.kr"
LINK = "https://matrix.to/#/!wg:gov.kr/"
KIM, LEE, PARK = "@kim:gov.kr", "@lee:gov.kr", "@park:gov.kr"
EVIL = "이영희 <script>alert(1)</script>"


def t(m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=SEOUL)


WG = WgInfo(
    "reg",
    "규제혁신 <WG> & 협업",
    "Regulatory WG",
    ROOM,
    {KIM: "행정안전부", LEE: "기획재정부", PARK: "행정안전부"},
    {KIM: "김철수", LEE: EVIL},
)
MESSAGES = (
    ArchivedMessage("$y", ROOM, KIM, t(12, 23, 20), "어제 올린 질문인데 답이 있을까요?"),
    ArchivedMessage("$q1", ROOM, KIM, t(12, 24, 10), "예산 & 일정 <문의>드립니다\n둘째 줄"),
    ArchivedMessage("$r1", ROOM, LEE, t(12, 24, 11), "<b>답</b> 드립니다", thread_root="$q1"),
    ArchivedMessage("$r2", ROOM, PARK, t(12, 24, 12), "추가로 & 확인", thread_root="$q1"),
    ArchivedMessage(
        "$q2", ROOM, LEE, t(12, 26, 10).astimezone(UTC), "회의 언제 하나요?"
    ),  # shown in KST
)
ACTIONS = (
    Action("A-1", "보고서 <초안> 작성", (KIM,), date(2026, 12, 24), False, t(12, 20, 9)),
    Action("A-2", "자료 & 통계 정리", (LEE, PARK), date(2026, 12, 28), False, t(12, 21, 9)),
    Action("A-3", "회의실 예약", (), None, False, t(12, 26, 9)),
    Action("A-4", "끝난 일", (KIM,), date(2026, 12, 1), True, t(11, 20, 9)),
)
DECISIONS = (
    Decision("D-1", "위원회 상정 <확정>", KIM, t(12, 24, 15), f"{LINK}$q1"),
    Decision("D-2", "링크 & 없음", LEE, t(12, 24, 16), "javascript:alert(1)"),
)
BLOCKERS = (Blocker("B-1", "예산 & 인력 부족", t(12, 21, 9), escalated=True),)
MEETINGS = (
    MeetingToday("주간 <회의>", t(12, 28, 14), t(12, 28, 15), "https://meet.jit.si/abc", 3, 1, 2),
    MeetingToday(
        "비공개 & 회의", t(12, 28, 1).astimezone(UTC), t(12, 28, 11), "javascript:alert(1)"
    ),
)
DATA = DigestInput(
    WG,
    t(12, 24, 8, 30),
    t(12, 28, 8, 30),
    date(2026, 12, 28),
    MESSAGES,
    DECISIONS,
    ACTIONS,
    BLOCKERS,
    MEETINGS,
)

EXPECTED_BODY = [
    "📋 규제혁신 <WG> & 협업 일일 요약 · 2026-12-28 (월)",
    "• 기간: 2026-12-24 (목) 08:30 – 2026-12-28 (월) 08:30 KST",
    "• 쉬는 날 3일 포함: 기독탄신일, 주말",
    "",
    "활동",
    "• 메시지 4건 · 참여 3명 · 부처 2곳",
    "• 행정안전부: 2명, 2건 — 김철수 1, @park:gov.kr 1",
    f"• 기획재정부: 1명, 2건 — {EVIL} 2",
    "",
    "주요 스레드",
    f"• “예산 & 일정 <문의>드립니다” — 참여 3명 · 외 2건 {LINK}$q1",
    "",
    "새 결정",
    f"• [D-1] 위원회 상정 <확정> — 김철수 · 2026-12-24 (목) 15:00 KST {LINK}$q1",
    f"• [D-2] 링크 & 없음 — {EVIL} · 2026-12-24 (목) 16:00 KST",
    "",
    "할 일",
    "• [A-1] 보고서 <초안> 작성 — 김철수 — ⚠ 4일 지연 (마감 2026-12-24 (목))",
    f"• [A-2] 자료 & 통계 정리 — {EVIL}, @park:gov.kr — 📅 오늘 마감",
    "• [A-3] 회의실 예약 — 🆕 새 할 일 · 마감 없음",
    "",
    "미해결 장애",
    "• [B-1] 예산 & 인력 부족 — 8일째 · ⬆ 위원회 상정",
    "",
    "오늘 회의",
    "• 01:00–11:00 비공개 & 회의 · ✅ 0 ❌ 0 ❔ 0",
    "• 14:00–15:00 주간 <회의> — 참여하기: https://meet.jit.si/abc · ✅ 3 ❌ 1 ❔ 2",
    "",
    "답변 없는 질문",
    "• 김철수 (행정안전부) · 2026-12-23 (수) 20:00 KST: "
    f"“어제 올린 질문인데 답이 있을까요?” {LINK}$y",
    f"• {EVIL} (기획재정부) · 2026-12-26 (토) 10:00 KST: “회의 언제 하나요?” {LINK}$q2",
]


def digest(data: DigestInput = DATA, lang: str = "ko") -> Notice:
    notice = build_wg_digest(data, lang)
    assert notice is not None
    return notice


def test_plain_body_reads_on_its_own() -> None:
    assert digest().body.split("\n") == EXPECTED_BODY


def test_owners_of_listed_actions_are_mentioned_with_pills() -> None:
    notice = digest()
    assert notice.mentions == (KIM, LEE, PARK)
    assert '<a href="https://matrix.to/#/@kim:gov.kr">김철수</a>' in notice.html
    assert '<a href="https://matrix.to/#/@park:gov.kr">@park:gov.kr</a>' in notice.html
    assert notice.content()["m.mentions"] == {"user_ids": [KIM, LEE, PARK]}


def test_user_text_is_escaped_in_html() -> None:
    html = digest().html
    assert "<script>" not in html and "javascript:" not in html
    assert "<b>답</b>" not in html and "<문의>" not in html
    assert "<h3>📋 규제혁신 &lt;WG&gt; &amp; 협업 일일 요약 · 2026-12-28 (월)</h3>" in html
    assert "이영희 &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert (
        f'<a href="{LINK}$q1">예산 &amp; 일정 &lt;문의&gt;드립니다</a> — 참여 3명 · 외 2건' in html
    )
    assert "<b>[A-2]</b> 자료 &amp; 통계 정리" in html
    assert "01:00–11:00 <b>비공개 &amp; 회의</b> · ✅ 0 ❌ 0 ❔ 0</li>" in html
    assert '<a href="https://meet.jit.si/abc">참여하기</a> · ✅ 3 ❌ 1 ❔ 2' in html


def test_sections_in_order() -> None:
    html = digest().html
    headings = [
        "활동",
        "주요 스레드",
        "새 결정",
        "할 일",
        "미해결 장애",
        "오늘 회의",
        "답변 없는 질문",
    ]
    positions = [html.index(f"<h4>{h}</h4>") for h in headings]
    assert positions == sorted(positions)


def test_english_headings() -> None:
    body = digest(lang="en").body
    assert body.startswith("📋 Regulatory WG daily digest · 2026-12-28 (Mon)\n")
    for heading in ["Activity", "Hot threads", "New decisions", "Actions", "Open blockers"]:
        assert f"\n\n{heading}\n" in body
    assert "\n\nToday's meetings\n" in body and "\n\nUnanswered questions\n" in body
    assert "• 4 messages · 3 people · 2 ministries" in body
    assert "⚠ 4 days overdue (due 2026-12-24 (Thu))" in body
    assert "— 3 people · +2 more" in body


def test_quiet_day_is_one_line_or_nothing() -> None:
    quiet = DigestInput(WG, t(12, 24, 8, 30), t(12, 28, 8, 30), date(2026, 12, 28), ())
    notice = digest(quiet)
    assert notice.body == (
        "📋 규제혁신 <WG> & 협업 일일 요약 · 2026-12-28 (월): "
        "조용한 하루였습니다 (새 메시지·결정·할 일·장애·회의 없음)"
    )
    assert notice.html.startswith("<h3>") and "\n" not in notice.body
    assert build_wg_digest(replace(quiet, quiet_mode="none")) is None
    assert digest(quiet, "en").body.endswith(
        ": A quiet day (no messages, decisions, actions, blockers or meetings)"
    )


def test_an_open_blocker_alone_is_not_a_quiet_day() -> None:
    data = DigestInput(
        WG, t(12, 24, 8, 30), t(12, 28, 8, 30), date(2026, 12, 28), (), blockers_open=BLOCKERS
    )
    assert digest(data).body.split("\n") == [
        *EXPECTED_BODY[:4],
        "활동",
        "• 새 메시지 없음",
        "",
        "미해결 장애",
        "• [B-1] 예산 & 인력 부족 — 8일째 · ⬆ 위원회 상정",
    ]


def test_actions_done_in_the_period_are_the_progress() -> None:
    done = replace(ACTIONS[1], done=True, done_at=t(12, 26, 10).astimezone(UTC))
    before = replace(ACTIONS[3], done_at=t(12, 23, 10))
    data = DigestInput(
        WG, t(12, 24, 8, 30), t(12, 28, 8, 30), date(2026, 12, 28), (), actions=(done, before)
    )
    notice = digest(data)
    assert notice.body.split("\n")[4:] == [
        "활동",
        "• 새 메시지 없음",
        "",
        "완료한 할 일",
        f"• [A-2] 자료 & 통계 정리 — {EVIL}, @park:gov.kr — ✅ 완료 · 2026-12-26 (토) 10:00 KST",
    ]
    assert notice.mentions == ()
    assert "\n\nActions done\n" in digest(data, "en").body


def test_limits_close_lists_with_a_count() -> None:
    people = {f"@p{i:02}:gov.kr": "행정안전부" for i in range(12)}
    messages = tuple(
        ArchivedMessage(f"$m{i}", ROOM, sender, t(12, 24, 9 + i % 10), "네")
        for i, sender in enumerate(sorted(people) * 2)
    )
    actions = tuple(
        Action(f"A-{i}", f"일 {i}", (), date(2026, 12, 24), False, t(12, 1, 9, i)) for i in range(5)
    )
    data = replace(DATA, wg=replace(WG, ministry_of=people), messages=messages, actions=actions)
    limits = DigestLimits(people_per_ministry=3, actions=2)
    sections = wg_digest_sections(data, limits=limits)
    assert sections is not None
    body = "\n".join(s.body for s in sections)
    assert "• 행정안전부: 12명, 24건 — @p00:gov.kr 2, @p01:gov.kr 2, @p02:gov.kr 2, 외 9명" in body
    assert "[A-1]" in body and "[A-2]" not in body and "• 외 3건" in body
