"""Real-shaped Korean mail built with the email package: what Outlook and Korean webmail send
(`ks_c_5601-1987` labels on CP949 bytes, RFC 2047 words, base64 and quoted-printable)."""

from __future__ import annotations

import base64
import quopri
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.utils import formataddr

# "똠" and "햏" are CP949 additions: EUC-KR cannot encode them, so a decoder that trusts
# Python's ks_c_5601-1987 → euc_kr mapping fails on this subject.
SUBJECT = "[협조] 똠양꿍 햏사 예산 검토 요청"
BODY = "안녕하십니까, 기획재정부 박서준입니다.\n첨부한 보고서를 검토해 주십시오.\n"
HTML = "<p>안녕하십니까, <b>기획재정부</b> 박서준입니다.</p><img src='https://x.example/t.gif'>"


def words(text: str, charset: str = "ks_c_5601-1987", codec: str = "cp949") -> str:
    """An RFC 2047 encoded word in `charset`, bytes made with `codec`."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def part(
    maintype: str, subtype: str, data: bytes, charset: str | None, qp: bool = False
) -> MIMEBase:
    item = MIMEBase(maintype, subtype, **({"charset": charset} if charset else {}))
    if qp:
        item.set_payload(quopri.encodestring(data).decode("ascii"))
        item["Content-Transfer-Encoding"] = "quoted-printable"
    else:
        item.set_payload(base64.encodebytes(data).decode("ascii"))
        item["Content-Transfer-Encoding"] = "base64"
    return item


def outlook_mail(
    message_id: str = "<outlook-1@moef.go.kr>",
    sender: str = "park@moef.go.kr",
    to: str = "demo-core-01@mail.example.go.kr",
    attachment: bytes | None = b"HWP Document File\x00\x01\x02",
    in_reply_to: str | None = None,
    subject: str = SUBJECT,
) -> bytes:
    """Outlook-style: CP949 text in base64, CP949 HTML in quoted-printable, a Korean-named
    attachment, everything labelled ks_c_5601-1987."""
    mail = MIMEMultipart("mixed")
    mail["From"] = f"{words('박서준')} <{sender}>"
    mail["To"] = to
    mail["Subject"] = words(subject)
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = f"<older@moef.go.kr> {in_reply_to}"
    alternative = MIMEMultipart("alternative")
    alternative.attach(part("text", "plain", BODY.encode("cp949"), "ks_c_5601-1987"))
    alternative.attach(part("text", "html", HTML.encode("cp949"), "ks_c_5601-1987", qp=True))
    mail.attach(alternative)
    if attachment is not None:
        file = part("application", "octet-stream", attachment, None)
        file.add_header("Content-Disposition", "attachment", filename=words("보고서.hwp"))
        mail.attach(file)
    return mail.as_bytes()


def html_only_mail(charset: str = "euc-kr") -> bytes:
    mail = part("text", "html", HTML.encode("cp949" if charset != "utf-8" else "utf-8"), charset)
    mail["From"] = formataddr((str(Header("이지은", "utf-8")), "lee@nia.or.kr"))
    mail["Subject"] = str(Header("HTML 전용 메일", "utf-8"))
    mail["Message-ID"] = "<html-1@nia.or.kr>"
    return mail.as_bytes()
