"""Inbound mail as it really arrives, decoded: RFC 2047 headers, Korean charsets (Outlook's
`ks_c_5601-1987` is CP949, not the narrower EUC-KR Python maps it to), quoted-printable and
base64 bodies, HTML-only mail turned into sanitised text, attachments kept as bytes.

Nothing here raises on a malformed message: what cannot be parsed is read as plain text."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.utils import parseaddr

import html2text
import nh3

# Labels mail clients use for Korean that Python maps to EUC-KR (which lacks 8,822 syllables
# CP949 has): read them all as CP949, a superset.
_KOREAN = frozenset(
    {"ks_c_5601-1987", "ks_c_5601", "ks_c_5601_1987", "euc-kr", "euc_kr", "ksc5601", "korean"}
)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    """One mail, decoded. `message_id` is never empty (a hash of the bytes when missing);
    `parents` are the Message-IDs it answers, nearest first."""

    message_id: str
    sender_name: str
    sender_address: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    parents: tuple[str, ...] = ()


def codec_for(charset: str | None) -> str:
    """The Python codec for a MIME charset label; unknown labels fall back to UTF-8."""
    label = (charset or "utf-8").strip().strip('"').lower()
    if label in _KOREAN:
        return "cp949"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; a wrong declaration is tried as UTF-8 then CP949."""
    for codec in (codec_for(charset), "utf-8", "cp949"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def decode_words(raw: str | None) -> str:
    """An RFC 2047 header value (`=?ks_c_5601-1987?B?...?=`) as text."""
    if not raw:
        return ""
    try:
        parts = decode_header(str(raw))
    except (ValueError, LookupError):
        return str(raw)
    text = "".join(
        decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in parts
    )
    return " ".join(text.split())


def html_to_text(html: str) -> str:
    """Sanitise (nh3: no scripts, styles or images, so nothing remote is fetched) and render
    as readable text (html2text)."""
    allowed = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
    clean = nh3.clean(html, tags=allowed)
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.body_width = 0
    return converter.handle(clean).strip()


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment") or (
        part.get_filename() is not None and part.get_content_maintype() != "text"
    )


def _attachment(part: Message, number: int) -> Attachment:
    name = decode_words(part.get_filename()) or f"attachment-{number}"
    name = name.replace("/", "_").replace("\\", "_")[:200]
    return Attachment(name, part.get_content_type(), _payload(part))


def _texts(message: Message) -> tuple[str, str, list[Attachment]]:
    """The first plain and HTML text parts, and the attachments."""
    plain, html, files = "", "", []
    for part in message.walk():
        if part.is_multipart():
            continue
        if _is_attachment(part):
            files.append(_attachment(part, len(files) + 1))
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and not plain:
            plain = decode_bytes(_payload(part), part.get_content_charset())
        elif kind == "text/html" and not html:
            html = decode_bytes(_payload(part), part.get_content_charset())
    return plain, html, files


def _message_ids(raw: str | None) -> list[str]:
    return _MSGID_RE.findall(str(raw or ""))


def _parents(message: Message) -> tuple[str, ...]:
    nearest = _message_ids(message.get("In-Reply-To"))
    chain = list(reversed(_message_ids(message.get("References"))))
    return tuple(dict.fromkeys(nearest + chain))


def _fallback_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@sotong.mail>"


def _text_of(plain: str, html: str) -> str:
    text = plain.strip() or (html_to_text(html) if html else "")
    text = text.replace("\r\n", "\n")
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"


def parse_mail(raw: bytes) -> InboundMail:
    """Decode a whole RFC 5322 message; never raises (a broken one becomes plain text)."""
    try:
        return _parse(raw)
    except Exception:  # any parser failure: keep the mail as text
        text = decode_bytes(raw, "utf-8")
        return InboundMail(_fallback_id(raw), "", "", "", _text_of(text, ""))


def _parse(raw: bytes) -> InboundMail:
    message = message_from_bytes(raw)
    name, address = parseaddr(str(message.get("From", "")))
    ids = _message_ids(message.get("Message-ID"))
    plain, html, files = _texts(message)
    if not (plain or html or files) and message.defects:
        # Broken structure (a multipart without its boundary): keep the raw body as text.
        body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[-1]
        plain = decode_bytes(body, message.get_content_charset())
    return InboundMail(
        message_id=ids[0] if ids else _fallback_id(raw),
        sender_name=decode_words(name),
        sender_address=address.strip().lower(),
        subject=decode_words(message.get("Subject")),
        text=_text_of(plain, html),
        attachments=tuple(files),
        parents=_parents(message),
    )
