"""Bilingual text: Korean first, English available."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A message in both languages."""

    ko: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko

    def both(self, lang: str) -> str:
        """Primary language first, the other on the next line (for errors and usage)."""
        first, second = (self.en, self.ko) if lang == "en" else (self.ko, self.en)
        return first if first == second else f"{first}\n{second}"


REVOKE_WORDS = frozenset({"revoke", "폐기", "취소", "해지"})
"""What ends a personal link (`!dashboard revoke`, `!회의 feed 폐기`), in either language."""

WEEKDAYS_KO = "월화수목금토일"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
