"""Mail counts as activity of the sender's ministry: the directory's, else the mail domain's
(mapped like a homeserver name when the deployment maps it)."""

from __future__ import annotations

from commands.collab.model import MinistryResolver
from commands.mail.deliver import mail_sender_id
from commands.mail.parse import parse_mail
from commands.plan.model import Person
from tests.unit.mail.korean_mail import outlook_mail


def test_mail_senders_resolve_to_a_ministry() -> None:
    mail = parse_mail(outlook_mail())
    park = Person("@park:gov.kr", "박서준", "기획재정부", "sejong", "park@moef.go.kr")
    resolve = MinistryResolver(
        {"@park:gov.kr": "기획재정부"}, {"nia.or.kr": "한국지능정보사회진흥원"}
    )
    assert resolve(mail_sender_id(mail, park)) == "기획재정부"
    assert resolve(mail_sender_id(mail, None)) == "moef.go.kr"
    assert resolve("mailto:kim@NIA.or.kr") == "한국지능정보사회진흥원"
