"""Credential model builders: refusals with a reason, and the less common shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baeji.credentials import model, status
from baeji.credentials.errors import SchemaError

from .conftest import STATUS_URL, SUSPENSION_URL


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (20260301, "is not a date-time string"),
        ("2026-03-01", "a date without a time"),
        ("1 March 2026", "is not a valid XSD dateTime"),
    ],
)
def test_parse_datetime_refuses_what_is_not_an_xsd_datetime(value, message):
    with pytest.raises(ValueError, match=message):
        model.parse_datetime(value)


def test_parse_datetime_reads_a_missing_zone_as_utc():
    assert model.parse_datetime("2026-03-01T09:00:00") == datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_result_needs_something_to_say():
    with pytest.raises(ValueError, match="at least a value, a status or an achieved level"):
        model.result()


def test_identity_object_for_a_sourced_id():
    identifier = model.identity_object(sourced_id="S-2026-0042", salt="소금")
    assert identifier["identityType"] == "sourcedId"
    assert identifier["identityHash"].startswith("sha256$")


def test_identity_object_refuses_what_is_not_an_email_address():
    with pytest.raises(ValueError, match="'minjun' is not an e-mail address"):
        model.identity_object(email="minjun")


def test_status_entries_given_as_a_list(issuer):
    revocation = status.status_entry(list_credential_url=STATUS_URL, index=7, purpose="revocation")
    suspension = status.status_entry(
        list_credential_url=SUSPENSION_URL, index=7, purpose="suspension"
    )
    # One entry in a list is written as the single object the OB 3.0 schema expects...
    credential = issuer.credential(credential_status=[revocation], sign=False)
    assert credential["credentialStatus"] == revocation
    # ...and two are refused by the schema, which allows only one.
    with pytest.raises(SchemaError, match="credentialStatus"):
        issuer.credential(credential_status=[revocation, suspension], sign=False)


def test_unhashed_identity_object_carries_the_normalized_address():
    identifier = model.identity_object(email=" MinJun@Example.KR ", hashed=False)
    assert identifier["identityHash"] == "minjun@example.kr"
    assert identifier["hashed"] is False
    assert "salt" not in identifier
