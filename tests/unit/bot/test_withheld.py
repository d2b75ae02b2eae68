"""Which devices are told their room key was withheld: blacklisted member devices without
the session's key, each once per session."""

from __future__ import annotations

from nio.crypto import OlmDevice, TrustState

from bot.withheld import BLACKLISTED, Excluded, excluded_devices

KEYS = {"ed25519": "ed", "curve25519": "curve"}


def device(user_id: str, device_id: str, trust: TrustState) -> OlmDevice:
    return OlmDevice(user_id, device_id, dict(KEYS), trust_state=trust)


PHONE = device("@kim:gov.kr", "PHONE", TrustState.verified)
OUTSIDER = device("@eve:other.example", "LAPTOP", TrustState.blacklisted)
OUTSIDER_PHONE = device("@eve:other.example", "PHONE", TrustState.blacklisted)


def test_only_blacklisted_devices_are_told_with_the_blacklisted_code() -> None:
    found = excluded_devices([PHONE, OUTSIDER, OUTSIDER_PHONE], {("@kim:gov.kr", "PHONE")}, set())
    assert found == [
        Excluded("@eve:other.example", "LAPTOP", BLACKLISTED),
        Excluded("@eve:other.example", "PHONE", BLACKLISTED),
    ]
    assert BLACKLISTED == "m.blacklisted"


def test_a_device_already_told_about_this_session_is_not_told_again() -> None:
    told = {("@eve:other.example", "LAPTOP")}
    found = excluded_devices([PHONE, OUTSIDER, OUTSIDER_PHONE], set(), told)
    assert found == [Excluded("@eve:other.example", "PHONE", BLACKLISTED)]


def test_a_device_that_holds_the_key_is_never_told_it_was_withheld() -> None:
    shared = {("@eve:other.example", "LAPTOP")}
    assert excluded_devices([OUTSIDER], shared, set()) == []


def test_trusted_and_not_yet_judged_devices_are_not_told() -> None:
    unset = device("@lee:gov.kr", "TABLET", TrustState.unset)
    assert excluded_devices([PHONE, unset], set(), set()) == []
