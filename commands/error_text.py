"""What the bot says when a command cannot run: an unknown word, or an error with its usage."""

from __future__ import annotations

from commands.context import CommandSettings
from commands.errors import CommandError, UserInputError
from commands.framework import Command, Registry
from commands.i18n import Text
from commands.render import Notice, shown

ERROR_TEXT_LIMIT = 400
"""An error's text per language; user text echoed in it is already cut (see `shown`)."""


def unknown_command(registry: Registry, word: str, settings: CommandSettings) -> Notice:
    """Unknown command: the closest known one, if any, and where the list is."""
    prefix = settings.command_prefix
    guess = registry.suggest(word)
    ko = f"알 수 없는 명령어입니다: {prefix}{shown(word, 40)}."
    en = f"Unknown command: {prefix}{shown(word, 40)}."
    if guess:
        ko += f" 혹시 {prefix}{guess} 을(를) 찾으셨나요?"
        en += f" Did you mean {prefix}{guess}?"
    ko += f" 전체 목록: {prefix}도움말"
    en += f" All commands: {prefix}help"
    return Notice.plain(Text(ko, en).both(settings.language))


def explain(error: CommandError, command: Command | None, settings: CommandSettings) -> str:
    """A user's error in both languages; a user-input error also shows the usage line."""
    text = Text(_cut(error.ko), _cut(error.en)).both(settings.language)
    if isinstance(error, UserInputError) and command is not None:
        text += "\n" + usage_lines(command, settings)
    return f"⚠️ {text}"


def usage_lines(command: Command, settings: CommandSettings) -> str:
    """`사용법 / Usage: …`, or a Korean and an English line when keyword arguments are spelled
    differently in the two (`기한` and `--due`)."""
    prefix = settings.command_prefix
    ko, en = command.usage(prefix, "ko"), command.usage(prefix, "en")
    if ko == en:
        return f"사용법 / Usage: {en}"
    return Text(f"사용법: {ko}", f"Usage: {en}").both(settings.language)


def _cut(text: str) -> str:
    return shown(text, ERROR_TEXT_LIMIT) if len(text) > ERROR_TEXT_LIMIT else text


def command_too_long(limit: int) -> UserInputError:
    """A command over COMMAND_MAX_CHARS: refused before it is parsed, nothing stored."""
    return UserInputError(
        f"명령이 너무 깁니다. {limit:,}자 이내로 보내 주세요.",
        f"The command is too long. Keep it under {limit:,} characters.",
    )


def failure_notice(reference: str, settings: CommandSettings) -> Notice:
    """The reply to a command that failed on our side: short, with the log's reference id."""
    return Notice.plain(
        Text(
            f"처리 중 오류가 발생했습니다. 참조 번호: {reference}",
            f"Something went wrong. Reference: {reference}",
        ).both(settings.language)
    )
