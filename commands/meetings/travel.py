"""Business trips avoided by meeting on video: the travel table and the savings report.

The table (`plans/travel.toml`, estimates meant to be edited) gives, for every pair of
government complexes and regional offices, the one-way distance, the door-to-door round-trip
hours and the cost of a round trip (fares plus the per-diem). Every meeting held on video counts
one avoided round trip for each attendee whose office differs from the chair's: the chair's
office is where the meeting would have been. Offices the table does not know are listed in the
report and left out of the sums, so one bad directory entry does not hide all the savings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commands.render import Notice, esc

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "plans" / "travel.toml"


@dataclass(frozen=True)
class Route:
    """One pair of offices: km one way; hours and KRW for a round trip (per-diem included)."""

    km: int
    hours: float
    krw: int
    mode: str


NO_TRAVEL = Route(km=0, hours=0.0, krw=0, mode="none")


@dataclass(frozen=True)
class TravelTable:
    """Offices (key → Korean name), their aliases and the routes between them."""

    names: Mapping[str, str]
    aliases: Mapping[str, str]
    routes: Mapping[frozenset[str], Route]

    def resolve(self, office: str) -> str:
        """The office key for a key, a name or an alias (`세종`, `정부세종청사`, `sejong`)."""
        key = self.aliases.get(office.strip().lower())
        if key is None:
            known = ", ".join(sorted(self.names))
            raise ValueError(f"unknown office {office!r}; known offices: {known}")
        return key

    def knows(self, office: str) -> bool:
        """Whether `office` is a key, name or alias of the table."""
        return office.strip().lower() in self.aliases

    def route(self, origin: str, destination: str) -> Route:
        """The round trip between two offices, either way round; none for the same office."""
        a, b = self.resolve(origin), self.resolve(destination)
        if a == b:
            return NO_TRAVEL
        found = self.routes.get(frozenset((a, b)))
        if found is None:
            raise ValueError(f"the travel table has no route between {a!r} and {b!r}")
        return found


def load_travel_table(path: str | Path = DEFAULT_TABLE) -> TravelTable:
    """Read and check a travel table; a mistake in the file is a ValueError naming it."""
    with Path(path).open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        names, aliases = _offices(raw["offices"])
        per_diem = int(raw.get("per_diem_krw", 0))
        routes = {
            _pair(label, names): _route(label, spec, per_diem)
            for label, spec in raw["routes"].items()
        }
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path}: malformed travel table ({error!r})") from error
    return TravelTable(names=names, aliases=aliases, routes=routes)


def _offices(spec: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for key, office in spec.items():
        if "-" in key or key != key.lower():
            raise ValueError(f"office key {key!r} must be lower case without '-'")
        names[key] = str(office["name"])
        for alias in (key, office["name"], *office.get("aliases", ())):
            if aliases.setdefault(str(alias).lower(), key) != key:
                raise ValueError(f"alias {alias!r} names two offices")
    return names, aliases


def _pair(label: str, names: Mapping[str, str]) -> frozenset[str]:
    ends = label.split("-")
    if len(ends) != 2 or ends[0] == ends[1] or not set(ends) <= set(names):
        raise ValueError(f"route {label!r} must join two different known offices")
    return frozenset(ends)


def _route(label: str, spec: dict[str, Any], per_diem: int) -> Route:
    route = Route(
        km=int(spec["km"]),
        hours=float(spec["hours"]),
        krw=int(spec["transport_krw"]) + int(spec.get("per_diem_krw", per_diem)),
        mode=str(spec.get("mode", "")),
    )
    if min(route.km, route.hours, route.krw) < 0:
        raise ValueError(f"route {label!r} has a negative figure")
    return route


@dataclass(frozen=True)
class HeldMeeting:
    """A meeting held on video: its working group, month (`YYYY-MM`) and offices."""

    wg_key: str
    chair_office: str
    attendee_offices: list[str]
    month: str


@dataclass(frozen=True)
class Savings:
    """Meetings held and what they saved; `km` and `hours` are for the round trips."""

    meetings: int = 0
    trips: int = 0
    hours: float = 0.0
    km: int = 0
    krw: int = 0

    def __add__(self, other: Savings) -> Savings:
        return Savings(
            self.meetings + other.meetings,
            self.trips + other.trips,
            self.hours + other.hours,
            self.km + other.km,
            self.krw + other.krw,
        )


@dataclass(frozen=True)
class SavingsReport:
    """Savings per working group and overall, plus the offices the table did not know."""

    by_wg: dict[str, Savings]
    total: Savings
    unknown_offices: tuple[str, ...] = ()


def savings(
    meetings: Iterable[HeldMeeting], table: TravelTable, *, month: str | None = None
) -> SavingsReport:
    """Add up the trips `meetings` avoided (only those of `month` when given)."""
    by_wg: dict[str, Savings] = {}
    unknown: set[str] = set()
    for meeting in meetings:
        if month is not None and meeting.month != month:
            continue
        saved = _one_meeting(meeting, table, unknown)
        by_wg[meeting.wg_key] = by_wg.get(meeting.wg_key, Savings()) + saved
    total = sum(by_wg.values(), Savings())
    return SavingsReport(dict(sorted(by_wg.items())), total, tuple(sorted(unknown)))


def _one_meeting(meeting: HeldMeeting, table: TravelTable, unknown: set[str]) -> Savings:
    saved = Savings(meetings=1)
    for office in meeting.attendee_offices:
        missing = {o for o in (office, meeting.chair_office) if not table.knows(o)}
        if missing:
            unknown |= missing
            continue
        route = table.route(office, meeting.chair_office)
        if route is not NO_TRAVEL:
            saved += Savings(trips=1, hours=route.hours, km=2 * route.km, krw=route.krw)
    return saved


_LABELS = {
    "ko": ("작업그룹", "회의 수", "절감 출장", "시간", "거리(km)", "비용(원)", "합계"),
    "en": ("WG", "Meetings", "Trips avoided", "Hours", "Distance (km)", "Cost (KRW)", "Total"),
}
_TEXT = {
    "ko": (
        "출장 절감 효과",
        "이 기간에 화상으로 열린 회의가 없습니다.",
        "추정치: 참석자 소속 청사에서 회의 주재 청사까지 왕복 기준",
        "위치를 알 수 없어 제외한 소속: ",
    ),
    "en": (
        "Business trips avoided",
        "No video meetings in this period.",
        "Estimates: one round trip from each attendee's office to the chair's",
        "Left out, office unknown: ",
    ),
}


def render_savings(
    report: SavingsReport,
    lang: str = "ko",
    *,
    period: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Notice:
    """The report as an HTML table and plain lines, numbers with thousands separators;
    `names` maps working-group keys to display names."""
    language = lang if lang in _TEXT else "ko"
    labels, (heading, empty, estimate, unknown) = _LABELS[language], _TEXT[language]
    title = f"{heading} ({period})" if period else heading
    if not report.by_wg:
        return Notice(body=f"{title}\n{empty}", html=f"<p><b>{esc(title)}</b><br>{esc(empty)}</p>")
    rows = [((names or {}).get(key, key), figures) for key, figures in report.by_wg.items()]
    notes = [estimate]
    if report.unknown_offices:
        notes.append(unknown + ", ".join(report.unknown_offices))
    plain = [title, *(_plain_row(n, f, labels) for n, f in [*rows, (labels[-1], report.total)])]
    head = "".join(f"<th>{esc(label)}</th>" for label in labels[:-1])
    body = "".join(_html_row(name, figures) for name, figures in rows)
    total = _html_row(labels[-1], report.total, bold=True)
    html = (
        f"<p><b>{esc(title)}</b></p><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}{total}</tbody></table>"
        f"<p><i>{'<br>'.join(esc(note) for note in notes)}</i></p>"
    )
    return Notice(body="\n".join([*plain, *notes]), html=html)


def _cells(figures: Savings) -> list[str]:
    hours = f"{figures.hours:,.0f}" if figures.hours.is_integer() else f"{figures.hours:,.1f}"
    counts = (figures.meetings, figures.trips)
    return [*(f"{n:,}" for n in counts), hours, f"{figures.km:,}", f"{figures.krw:,}"]


def _plain_row(name: str, figures: Savings, labels: tuple[str, ...]) -> str:
    pairs = zip(labels[1:-1], _cells(figures), strict=True)
    return f"· {name}: " + ", ".join(f"{label} {value}" for label, value in pairs)


def _html_row(name: str, figures: Savings, *, bold: bool = False) -> str:
    cells = [esc(name), *_cells(figures)]
    if bold:
        cells = [f"<b>{cell}</b>" for cell in cells]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
