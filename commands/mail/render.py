"""How a mail reads in a room: who sent it, its subject, its text (all escaped)."""

from __future__ import annotations

from commands.i18n import Text
from commands.mail.parse import InboundMail
from commands.render import Notice, esc

NO_SUBJECT = Text("(제목 없음)", "(no subject)")
FROM = Text("보낸 사람", "From")
SUBJECT = Text("제목", "Subject")
FILES = Text("첨부 {n}개", "{n} attachment(s)")


def sender_label(mail: InboundMail, directory_name: str | None) -> str:
    """`박서준 <park@moef.go.kr>`: the directory name first, else the name the mail gives."""
    name = directory_name or mail.sender_name
    address = mail.sender_address or "?"
    return f"{name} <{address}>" if name else address


def mail_notice(mail: InboundMail, directory_name: str | None, lang: str) -> Notice:
    """The room message for a mail; the body text is the mail's text part, escaped."""
    sender = sender_label(mail, directory_name)
    subject = mail.subject or NO_SUBJECT.pick(lang)
    lines = [f"✉️ {FROM.pick(lang)}: {sender}", f"{SUBJECT.pick(lang)}: {subject}"]
    if mail.attachments:
        lines.append(FILES.pick(lang).format(n=len(mail.attachments)))
    body = "\n".join(lines) + ("\n\n" + mail.text if mail.text else "")
    head = (
        f"✉️ <b>{esc(FROM.pick(lang))}:</b> {esc(sender)}<br>"
        f"<b>{esc(SUBJECT.pick(lang))}:</b> {esc(subject)}"
    )
    if mail.attachments:
        head += f"<br>{esc(FILES.pick(lang).format(n=len(mail.attachments)))}"
    text_html = esc(mail.text).replace("\n", "<br>") if mail.text else ""
    return Notice(body=body, html=head + (f"<br><br>{text_html}" if text_html else ""))
