"""Mail addresses: each plan room's address from its alias, and who may send to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def alias_localpart(alias: str) -> str:
    """`#gov3-core-03:server` → `gov3-core-03`."""
    return alias.lstrip("#").split(":", 1)[0].lower()


def room_address(alias: str, domain: str) -> str:
    """The room's mail address: `gov3-core-03@MAIL_DOMAIN`."""
    return f"{alias_localpart(alias)}@{domain.lower()}"


def split_address(address: str) -> tuple[str, str]:
    """`Kim@MOEF.go.kr` → (`kim`, `moef.go.kr`); no `@`: (address, '')."""
    local, at, domain = address.strip().strip("<>").lower().rpartition("@")
    return (local, domain) if at else (domain, "")


@dataclass(frozen=True)
class SenderPolicy:
    """Allowed senders: `MAIL_ALLOWED_SENDERS` entries (an address, a domain such as
    `moef.go.kr` or `@moef.go.kr`, which admits its subdomains too, or `*` for anyone) and
    the mail addresses of the plan's directory."""

    entries: frozenset[str]
    directory: frozenset[str]

    @classmethod
    def of(cls, allowed: Iterable[str], directory: Iterable[str]) -> SenderPolicy:
        return cls(
            frozenset(entry.strip().lower().lstrip("@") for entry in allowed if entry.strip()),
            frozenset(address.strip().lower() for address in directory if address.strip()),
        )

    def allows(self, address: str) -> bool:
        address = address.strip().strip("<>").lower()
        if "*" in self.entries or address in self.directory or address in self.entries:
            return True
        _, domain = split_address(address)
        labels = domain.split(".")
        return any(".".join(labels[i:]) in self.entries for i in range(len(labels) - 1))
