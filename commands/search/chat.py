"""`!search` / `!검색`: find what was said across ministries — only in rooms the asker is in."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import NotFound, UserInputError
from commands.framework import Arg, command
from commands.render import Notice, esc, permalink, shown
from commands.when import parse_when
from storage.archive import SearchHit, SearchQuery
from storage.search_text import SearchQueryError

PAGE = 10
MORE_WORDS = frozenset({"more", "더", "더보기", "다음"})


def _user_arg(raw: str) -> str:
    return raw if raw.startswith("@") else f"@{raw}"


def _highlighted(hit: SearchHit) -> str:
    """The snippet as HTML: escaped text with the matches in bold."""
    parts: list[str] = []
    cursor = 0
    for start, end in hit.highlights:
        parts.append(esc(hit.snippet[cursor:start]))
        parts.append(f"<b>{esc(hit.snippet[start:end])}</b>")
        cursor = end
    parts.append(esc(hit.snippet[cursor:]))
    return "".join(parts)


async def _room_label(ctx: Context, room_id: str) -> str:
    name = await ctx.repos.rooms.name_of(room_id)
    return name or room_id


def _local_time(ctx: Context, when: datetime) -> str:
    return when.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")


async def _render(
    ctx: Context, text: str, hits: tuple[SearchHit, ...], offset: int, has_more: bool
) -> Notice:
    head = ctx.t(f"'{shown(text)}' 검색 결과", f"Results for '{shown(text)}'")
    plain = [head]
    rich = [f'<p><b>{esc(head)}</b></p><ol start="{offset + 1}">']
    for hit in hits:
        room = await _room_label(ctx, hit.room_id)
        when = _local_time(ctx, hit.sent_at)
        link = permalink(hit.room_id, hit.event_id)
        plain.append(
            f"{offset + len(plain)}. {hit.sender} · {room} · {when}\n   {hit.snippet}\n   {link}"
        )
        rich.append(
            f"<li>{esc(hit.sender)} · {esc(room)} · {esc(when)}<br>{_highlighted(hit)} "
            f'<a href="{esc(link)}">{esc(ctx.t("보기", "view"))}</a></li>'
        )
    rich.append("</ol>")
    if has_more:
        tip = ctx.t(f"더 보기: {ctx.prefix}검색 더", f"More: {ctx.prefix}search more")
        plain.append(tip)
        rich.append(f"<p>{esc(tip)}</p>")
    return Notice("\n".join(plain), "".join(rich))


async def _run(ctx: Context, spec: dict[str, Any], offset: int) -> None:
    rooms = [ctx.room_id] if spec["here"] else await ctx.repos.rooms.rooms_of(ctx.sender)
    since = datetime.fromisoformat(spec["since"]) if spec.get("since") else None
    try:
        page = await ctx.repos.archive.search(
            SearchQuery(
                text=spec["text"],
                room_ids=tuple(rooms),
                sender=spec.get("by"),
                since=since,
                limit=PAGE,
                offset=offset,
            )
        )
    except SearchQueryError as error:
        raise UserInputError(error.ko, error.en) from error
    if not page.hits:
        more = offset > 0
        asked = shown(spec["text"])
        raise NotFound(
            "더 이상 결과가 없습니다." if more else f"'{asked}'에 대한 결과가 없습니다.",
            "No more results." if more else f"Nothing found for '{asked}'.",
        )
    await ctx.repos.search_cursors.save(ctx.sender, ctx.room_id, spec, offset + len(page.hits))
    await ctx.reply(await _render(ctx, spec["text"], page.hits, offset, page.has_more))


@command(
    "search",
    aliases=("검색", "찾기"),
    args=(
        Arg("query", rest=True),
        Arg("room", flag=True, words=("방",)),
        Arg("from", option=True, optional=True, words=("부터",), metavar="DATE"),
        Arg("by", _user_arg, option=True, optional=True, words=("작성자",), metavar="USER"),
    ),
    help_en="Search messages in the rooms you are in (`more` for the next page).",
)
async def search(ctx: Context, query: str, room: bool, by: str | None, **options: Any) -> None:
    """내가 참여한 방의 대화를 검색합니다 (다음 쪽: 더)."""
    if query.strip().lower() in MORE_WORDS:
        saved = await ctx.repos.search_cursors.load(ctx.sender, ctx.room_id)
        if saved is None:
            raise UserInputError("먼저 검색어로 검색하세요.", "Search for something first.")
        await _run(ctx, *saved)
        return
    start = options.get("from")
    since = None
    if start:
        since = parse_when(
            start, now=ctx.clock(), tz=ctx.settings.timezone, allow_past=True
        ).at.isoformat()
    if by and ":" not in by:
        by = f"{by}:{ctx.sender.split(':', 1)[1]}"
    spec = {"text": query.strip(), "here": room, "by": by, "since": since}
    await _run(ctx, spec, 0)
