"""A mail into a task room: one message (in the thread of the mail it answers), its
attachments as files in that thread, archived as the sender's activity; the same Message-ID
twice is posted once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from commands.context import Messenger
from commands.mail.addresses import alias_localpart
from commands.mail.parse import InboundMail
from commands.mail.render import mail_notice
from commands.plan import Person, Plan
from storage.archive import ArchivedMessage
from storage.repositories import Repositories

MAIL_SENDER_PREFIX = "mailto:"


@dataclass(frozen=True)
class MailDesk:
    """What delivering mail needs: where to post, what to store, who is who."""

    messenger: Messenger
    repos: Repositories
    plan: Plan | None
    clock: Callable[[], datetime]
    lang: str = "ko"

    def person(self, address: str) -> Person | None:
        """The directory person with this mail address, if any."""
        if self.plan is None or not address:
            return None
        return next((p for p in self.plan.directory if p.email == address.lower()), None)

    def directory_addresses(self) -> tuple[str, ...]:
        return tuple(p.email for p in self.plan.directory if p.email) if self.plan else ()

    async def room_for(self, localpart: str) -> str | None:
        """The plan room whose alias has this localpart (`gov3-core-03`), if any."""
        if self.plan is None:
            return None
        rooms = await self.repos.plan_rooms.all(self.plan.key)
        wanted = localpart.lower()
        return next((r.room_id for r in rooms.values() if alias_localpart(r.alias) == wanted), None)


def mail_sender_id(mail: InboundMail, person: Person | None) -> str:
    """Whose activity the mail is: the directory person's Matrix id, else `mailto:address`."""
    return person.user_id if person else f"{MAIL_SENDER_PREFIX}{mail.sender_address}"


async def deliver(desk: MailDesk, room_id: str, mail: InboundMail) -> str | None:
    """Post the mail in the room; the event id, or None when it was posted before. A failure
    releases the claim (the sending MTA will retry) and propagates."""
    ledger = desk.repos.mail
    if not await ledger.claim(mail.message_id, room_id, desk.clock()):
        return None
    try:
        return await _post(desk, room_id, mail)
    except BaseException:
        await ledger.release(mail.message_id, room_id)
        raise


async def _post(desk: MailDesk, room_id: str, mail: InboundMail) -> str:
    parent = await desk.repos.mail.find(mail.parents, room_id)
    thread_root = (parent.thread_root or parent.event_id) if parent else None
    person = desk.person(mail.sender_address)
    notice = mail_notice(mail, person.name if person else None, desk.lang)
    event_id = await desk.messenger.send_notice(room_id, notice, None, thread_root)
    root = thread_root
    if mail.attachments:
        root = thread_root or event_id
        for item in mail.attachments:
            await desk.messenger.send_file(room_id, item.filename, item.data, item.mimetype, root)
    await desk.repos.mail.posted(mail.message_id, room_id, event_id, root)
    await desk.repos.archive.add(
        ArchivedMessage(
            event_id=event_id,
            room_id=room_id,
            sender=mail_sender_id(mail, person),
            sent_at=desk.clock(),
            body=f"{mail.subject}\n{mail.text}".strip(),
            thread_root=thread_root,
        )
    )
    return event_id
