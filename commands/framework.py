"""Declaring commands: one decorator carries name, aliases, arguments, role and help.

Commands are plain values (no global registry): `Registry.collect` gathers them from
modules, and usage lines and `!help` are generated from the declarations.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import shlex
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from commands.errors import UserInputError
from commands.i18n import Text
from commands.render import shown


class Role(enum.IntEnum):
    """Who may run a command; higher includes lower."""

    MEMBER = 0
    CHAIR = 1
    ADMIN = 2


@dataclass(frozen=True)
class Arg:
    """One argument: positional by default, a keyword argument (`--name value`) when `option`,
    rest-of-line when `rest` (for a keyword argument: the words up to the next keyword).
    `convert` turns the raw text into a value or raises UserInputError.

    `words` are the keyword's other spellings (Korean first, e.g. `기한` for `--due`); each
    is accepted with dashes or bare, and the first is what the Korean usage line shows. A
    bare word followed by a value that does not convert stays text (the same word in a title
    or a search). Flags take the dashed spellings only."""

    name: str
    convert: Callable[[str], Any] = str
    optional: bool = False
    option: bool = False
    rest: bool = False
    default: Any = None
    flag: bool = False
    words: tuple[str, ...] = ()
    metavar: str = ""

    @property
    def keyword(self) -> bool:
        return self.option or self.flag

    def usage(self, lang: str = "en") -> str:
        korean = lang == "ko" and bool(self.words)
        if self.flag:
            return f"[--{self.words[0] if korean else self.name}]"
        value = self.metavar or self.name.upper()
        word = self.words[0] if korean else f"--{self.name}"
        shown = f"{word} {value}" if self.option else value
        shown = f"{shown}…" if self.rest else shown
        return f"[{shown}]" if self.optional or self.option else shown


Handler = Callable[..., Awaitable[None]]


@dataclass(eq=False)
class Command:
    """A declared command, or a group of subcommands when `handler` is None."""

    name: str
    aliases: tuple[str, ...]
    args: tuple[Arg, ...]
    role: Role
    help: Text
    handler: Handler | None
    parent: Command | None = None
    subcommands: dict[str, Command] = field(default_factory=dict)
    read_only: bool = False
    """It changes nothing, only answers: it may start before its claim is durable (a repeat
    after a crash resends the same transaction ids, which the homeserver drops)."""

    @property
    def path(self) -> str:
        return f"{self.parent.path} {self.name}" if self.parent else self.name

    def usage(self, prefix: str, lang: str = "en") -> str:
        """The usage line; in Korean (`lang` "ko") keyword arguments show their Korean form."""
        if self.subcommands:
            names = "|".join(sorted({c.name for c in self.subcommands.values()}))
            return f"{prefix}{self.path} <{names}>"
        return " ".join([f"{prefix}{self.path}", *(a.usage(lang) for a in self.args)])

    def command(
        self,
        name: str,
        *,
        aliases: Iterable[str] = (),
        args: Iterable[Arg] = (),
        role: Role = Role.MEMBER,
        help_en: str = "",
    ) -> Callable[[Handler], Command]:
        """Declare a subcommand of this group."""

        def wrap(handler: Handler) -> Command:
            child = _make(name, aliases, args, role, help_en, handler)
            child.parent = self
            for word in (child.name, *child.aliases):
                self.subcommands[word] = child
            return child

        return wrap

    def resolve(self, tokens: list[str]) -> tuple[Command, list[str]]:
        """Walk into subcommands by the leading tokens."""
        if not self.subcommands:
            return self, tokens
        if tokens and tokens[0] in self.subcommands:
            return self.subcommands[tokens[0]].resolve(tokens[1:])
        raise UserInputError("하위 명령을 골라 주세요.", "Choose a subcommand.")


def _help_of(handler: Handler | None, help_en: str) -> Text:
    doc = inspect.getdoc(handler) if handler else ""
    ko = (doc or "").strip().splitlines()[0] if doc else ""
    return Text(ko=ko or help_en, en=help_en or ko)


def _make(
    name: str,
    aliases: Iterable[str],
    args: Iterable[Arg],
    role: Role,
    help_en: str,
    handler: Handler | None,
    read_only: bool = False,
) -> Command:
    return Command(
        name=name,
        aliases=tuple(aliases),
        args=tuple(args),
        role=role,
        help=_help_of(handler, help_en),
        handler=handler,
        read_only=read_only,
    )


def command(
    name: str,
    *,
    aliases: Iterable[str] = (),
    args: Iterable[Arg] = (),
    role: Role = Role.MEMBER,
    help_en: str = "",
    read_only: bool = False,
) -> Callable[[Handler], Command]:
    """Declare a top-level command. The handler's docstring (first line) is its Korean help;
    `read_only` marks one that only reads and answers (see `Command.read_only`)."""
    return lambda handler: _make(name, aliases, args, role, help_en, handler, read_only)


def group(name: str, *, aliases: Iterable[str] = (), help_ko: str, help_en: str) -> Command:
    """Declare a command family whose subcommands are added with `.command(...)`."""
    return Command(name, tuple(aliases), (), Role.MEMBER, Text(help_ko, help_en), None)


def tokenize(text: str) -> list[str]:
    """Split like a shell, so quoted titles stay one argument."""
    try:
        return shlex.split(text)
    except ValueError as error:
        raise UserInputError(
            "따옴표가 닫히지 않았습니다.", f"Unbalanced quotes: {error}."
        ) from error


def _convert(arg: Arg, raw: str) -> Any:
    try:
        return arg.convert(raw)
    except UserInputError:
        raise
    except (ValueError, TypeError) as error:
        raise UserInputError(
            f"'{raw}'은(는) {arg.name}(으)로 쓸 수 없습니다.",
            f"'{raw}' is not a valid {arg.name}.",
        ) from error


def _take_options(spec: tuple[Arg, ...], tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Pull keyword arguments out (`--due 금요일`, `기한 금요일`); after a bare `--`
    everything is positional."""
    dashed = {f"--{w}".lower(): a for a in spec if a.keyword for w in (a.name, *a.words)}
    bare = {w.lower(): a for a in spec if a.option for w in a.words}
    stops = {*dashed, *bare, "--"}
    values: dict[str, Any] = {}
    rest: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            rest.extend(tokens[index + 1 :])
            break
        arg = dashed.get(token.lower()) or bare.get(token.lower())
        if arg is None:
            if token.startswith("--") and token[2:3].isalpha():
                raise UserInputError(
                    f"알 수 없는 옵션: {shown(token, 40)}", f"Unknown option: {shown(token, 40)}"
                )
            rest.append(token)
            index += 1
            continue
        if arg.flag:
            values[arg.name] = True
            index += 1
            continue
        end = _value_end(arg, tokens, index + 1, stops)
        if end == index + 1:
            raise UserInputError(f"{token} 뒤에 값이 필요합니다.", f"{token} needs a value.")
        try:
            values[arg.name] = _convert(arg, " ".join(tokens[index + 1 : end]))
        except UserInputError:
            if token.startswith("--"):
                raise
            rest.append(token)
            end = index + 1
        index = end
    return values, rest


def _value_end(arg: Arg, tokens: list[str], start: int, stops: set[str]) -> int:
    """Where a keyword's value ends: after one word, or for a `rest` keyword at the next
    keyword (or the end)."""
    if not arg.rest:
        return min(start + 1, len(tokens))
    end = start
    while end < len(tokens) and tokens[end].lower() not in stops:
        end += 1
    return end


def bind(spec: tuple[Arg, ...], tokens: list[str]) -> dict[str, Any]:
    """Match tokens to the declared arguments; missing or leftover ones are errors."""
    values, positional = _take_options(spec, tokens)
    for arg in (a for a in spec if not a.keyword):
        if arg.rest:
            if positional:
                values[arg.name] = _convert(arg, " ".join(positional))
                positional = []
            elif not arg.optional:
                raise _missing(arg)
            continue
        if positional:
            values[arg.name] = _convert(arg, positional.pop(0))
        elif not arg.optional:
            raise _missing(arg)
    if positional:
        extra = shown(" ".join(positional))
        raise UserInputError(f"남는 인자가 있습니다: {extra}", f"Unexpected arguments: {extra}")
    for arg in spec:
        values.setdefault(arg.name, False if arg.flag and arg.default is None else arg.default)
    return values


def _missing(arg: Arg) -> UserInputError:
    return UserInputError(
        f"{arg.name.upper()} 인자가 필요합니다.", f"Missing argument {arg.name.upper()}."
    )


@dataclass(frozen=True)
class Registry:
    """Every command by each of its words (name and aliases)."""

    by_word: dict[str, Command]

    @classmethod
    def collect(cls, modules: Iterable[ModuleType]) -> Registry:
        by_word: dict[str, Command] = {}
        for module in modules:
            for value in vars(module).values():
                if isinstance(value, Command) and value.parent is None:
                    for word in (value.name, *value.aliases):
                        if word in by_word and by_word[word] is not value:
                            raise ValueError(f"command word '{word}' declared twice")
                        by_word[word] = value
        return cls(by_word)

    def lookup(self, word: str) -> Command | None:
        return self.by_word.get(word) or self.by_word.get(word.lower())

    def commands(self) -> list[Command]:
        unique = {id(c): c for c in self.by_word.values()}
        return sorted(unique.values(), key=lambda c: c.name)

    def suggest(self, word: str) -> str | None:
        """The closest known command word, for 'did you mean'."""
        matches = difflib.get_close_matches(word.lower(), list(self.by_word), n=1, cutoff=0.5)
        return matches[0] if matches else None
