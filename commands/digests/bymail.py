"""The personal digest by mail: at DIGEST_TIME on Korean working days, to every confirmed
address, through the relay (`commands.mail.MAILER`). Each mail is claimed in the same ledger
as chat digests, as ("mail", user, day), so a job run twice or a restart sends it once."""

from __future__ import annotations

import logging
from datetime import date, time

from commands.digests.items import format_day
from commands.digests.period import digest_period
from commands.digests.personal import personal_digests
from commands.i18n import Text
from commands.jobs import JobContext
from commands.mail import MAILER, digest_mail, sender_address

log = logging.getLogger(__name__)
KIND = "mail"
SUBJECT = Text("[소통] 개인 요약 · {day}", "[Sotong] Your digest · {day}")


async def mail_digests(ctx: JobContext, day: date, slot: str, late: bool) -> int:
    """Mail the day's personal digests not in the ledger yet; returns how many were sent."""
    mailer, settings = MAILER.get(), ctx.settings
    if mailer is None or slot != settings.digest_time:
        return 0
    done = {s.target for s in await ctx.repos.digests.sent(day) if s.kind == KIND}
    subscribers = [
        s for s in await ctx.repos.mail_subscriptions.confirmed() if s.user_id not in done
    ]
    period = digest_period(day, time.fromisoformat(slot), settings.tz)
    if not subscribers or period is None:
        return 0
    users = [s.user_id for s in subscribers]
    digests = await personal_digests(ctx.repos, settings, ctx.plan, users, period, day)
    lang, sent = settings.language, 0
    subject = SUBJECT.pick(lang).format(day=format_day(day, lang))
    for sub in subscribers:
        if not await ctx.repos.digests.claim(KIND, sub.user_id, day, slot, late, ctx.clock()):
            continue
        sections = digests.get(sub.user_id)
        if not sections:
            await ctx.repos.digests.finish(KIND, sub.user_id, day, "silent")
            continue
        link = f"{settings.web_base_url}/mail/unsubscribe/{sub.token}"
        message = digest_mail(sender_address(settings), sub.address, subject, sections, link, lang)
        try:
            await mailer.send(message)
        except Exception:
            log.exception("the mail digest of %s for %s could not be sent", sub.user_id, day)
            await ctx.repos.digests.finish(KIND, sub.user_id, day, "failed")
            continue
        await ctx.repos.digests.finish(KIND, sub.user_id, day, "sent")
        sent += 1
    return sent
