"""Korean mail as it really arrives reads right; broken mail never raises."""

from __future__ import annotations

from email.mime.text import MIMEText

from commands.mail import SenderPolicy, parse_mail, room_address
from commands.mail.render import mail_notice
from tests.unit.mail.korean_mail import BODY, SUBJECT, html_only_mail, outlook_mail, words


def test_outlook_cp949_mail_reads_right() -> None:
    mail = parse_mail(outlook_mail())
    assert mail.subject == SUBJECT
    assert mail.sender_name == "박서준"
    assert mail.sender_address == "park@moef.go.kr"
    assert mail.text == BODY.strip()
    assert mail.message_id == "<outlook-1@moef.go.kr>"
    [attachment] = mail.attachments
    assert attachment.filename == "보고서.hwp"
    assert attachment.data == b"HWP Document File\x00\x01\x02"


def test_reply_names_its_parents_nearest_first() -> None:
    mail = parse_mail(outlook_mail("<r@x>", in_reply_to="<outlook-1@moef.go.kr>"))
    assert mail.parents == ("<outlook-1@moef.go.kr>", "<older@moef.go.kr>")


def test_utf8_quoted_printable_mail() -> None:
    text = MIMEText("회의록을 공유합니다. 감사합니다.", "plain", "utf-8")
    text.replace_header("Content-Transfer-Encoding", "quoted-printable")
    text.set_payload(
        "=ED=9A=8C=EC=9D=98=EB=A1=9D=EC=9D=84 =EA=B3=B5=EC=9C=A0=ED=95=A9=EB=8B=88=EB=8B=A4."
    )
    text["Subject"] = words("회의록 공유", "utf-8", "utf-8")
    text["From"] = "kim@mois.go.kr"
    mail = parse_mail(text.as_bytes())
    assert mail.subject == "회의록 공유"
    assert mail.text == "회의록을 공유합니다."


def test_euc_kr_html_only_mail_becomes_clean_text() -> None:
    mail = parse_mail(html_only_mail("euc-kr"))
    assert mail.sender_name == "이지은"
    assert mail.subject == "HTML 전용 메일"
    assert "**기획재정부**" in mail.text and "박서준입니다" in mail.text
    assert "x.example" not in mail.text and "<" not in mail.text


def test_malformed_mime_is_kept_as_text() -> None:
    raw = (
        b"From: broken@moef.go.kr\r\nSubject: =?ks_c_5601-1987?B?!!!?=\r\n"
        b'Content-Type: multipart/mixed; boundary="never"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n\xb1\xe8 no boundary here \xff\xfe"
    )
    mail = parse_mail(raw)
    assert mail.message_id.startswith("<") and mail.message_id.endswith(">")
    assert mail.sender_address == "broken@moef.go.kr"
    assert "no boundary here" in mail.text
    assert parse_mail(b"\x00\xff garbage") is not None


def test_notice_escapes_mail_text_and_names_the_directory_person() -> None:
    mail = parse_mail(outlook_mail())
    notice = mail_notice(mail, "박서준 과장", "ko")
    assert notice.body.startswith("✉️ 보낸 사람: 박서준 과장 <park@moef.go.kr>\n제목: " + SUBJECT)
    assert "첨부 1개" in notice.body
    evil = parse_mail(b"From: a@b.kr\r\nSubject: x\r\n\r\n<script>alert(1)</script>")
    assert "<script>" not in mail_notice(evil, None, "en").html


def test_room_addresses_and_sender_rules() -> None:
    assert room_address("#gov3-core-03:gov.kr", "Sotong.Example.go.kr") == (
        "gov3-core-03@sotong.example.go.kr"
    )
    policy = SenderPolicy.of(["moef.go.kr", "@nia.or.kr", "partner@corp.kr"], ["kim@mois.go.kr"])
    assert policy.allows("Park@MOEF.go.kr") and policy.allows("a@sub.nia.or.kr")
    assert policy.allows("partner@corp.kr") and policy.allows("kim@mois.go.kr")
    assert not policy.allows("other@corp.kr") and not policy.allows("x@evilmoef.go.kr")
    assert not policy.allows("lee@mois.go.kr")
