"""What the bot says when a command cannot run: an unknown word, or an error with its usage."""

from __future__ import annotations

from commands.context import CommandSettings
from commands.errors import CommandError, UserInputError
from commands.framework import Command, Registry
from commands.i18n import Text
from commands.render import Notice


def unknown_command(registry: Registry, word: str, settings: CommandSettings) -> Notice:
    """Unknown command: the closest known one, if any, and where the list is."""
    prefix = settings.command_prefix
    guess = registry.suggest(word)
    ko = f"알 수 없는 명령어입니다: {prefix}{word}."
    en = f"Unknown command: {prefix}{word}."
    if guess:
        ko += f" 혹시 {prefix}{guess} 을(를) 찾으셨나요?"
        en += f" Did you mean {prefix}{guess}?"
    ko += f" 전체 목록: {prefix}도움말"
    en += f" All commands: {prefix}help"
    return Notice.plain(Text(ko, en).both(settings.language))


def explain(error: CommandError, command: Command | None, settings: CommandSettings) -> str:
    """A user's error in both languages; a user-input error also shows the usage line."""
    text = Text(error.ko, error.en).both(settings.language)
    if isinstance(error, UserInputError) and command is not None:
        text += f"\n사용법 / Usage: {command.usage(settings.command_prefix)}"
    return f"⚠️ {text}"
