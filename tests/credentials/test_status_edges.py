"""Status list edge cases: malformed arguments, lists and entries are refused with a reason."""

from __future__ import annotations

import pytest

from baeji.credentials.errors import StatusListError
from baeji.credentials.status import (
    MIN_LENGTH,
    StatusList,
    allocate_index,
    read_status,
    status_list_credential,
)

from .test_status import (
    LIST_URL,
    ONE_EDTECH_CREDENTIAL_ID,
    ONE_EDTECH_ENTRY,
    VALIDATOR_ENTRY,
    VALIDATOR_LIST_DOCUMENT,
)


def with_subject(**changes):
    subject = {**VALIDATOR_LIST_DOCUMENT["credentialSubject"], **changes}
    return {**VALIDATOR_LIST_DOCUMENT, "credentialSubject": subject}


# -- building lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("length", ["131072", 131072.0, True])
def test_list_length_must_be_an_integer(length):
    with pytest.raises(StatusListError, match="must be a whole number"):
        StatusList(length)
    with pytest.raises(StatusListError, match="must be a whole number"):
        allocate_index(length, lambda index: False)


@pytest.mark.parametrize("attempts", [0, -1, True, 2.5])
def test_allocate_index_needs_a_positive_number_of_attempts(attempts):
    with pytest.raises(StatusListError, match="attempts must be a positive whole number"):
        allocate_index(MIN_LENGTH, lambda index: False, attempts=attempts)


def test_repr_names_the_length_not_the_bits():
    assert repr(StatusList()) == f"<StatusList length={MIN_LENGTH}>"


def test_encoded_list_of_impossible_length_is_refused():
    body = StatusList().encode()[1:]
    # Base64 groups are four characters; a lone character past the last group holds no byte.
    cut = "u" + body[: 4 * (len(body) // 4 - 1) + 1]
    with pytest.raises(StatusListError, match="impossible base64 length"):
        StatusList.decode(cut)


GOOD = dict(
    url=LIST_URL,
    issuer="did:web:badges.example.kr",
    purpose="revocation",
    valid_from="2025-03-01T00:00:00Z",
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": {"name": "No id"}}, "issuer profile needs an 'id'"),
        ({"issuer": ""}, "issuer must be an identifier or a profile"),
        ({"status_list": "uH4sI..."}, "status_list must be a StatusList"),
        ({"valid_from": ""}, "valid_from must be a date-time string"),
        ({"valid_until": 2026}, "valid_until must be a date-time string or None"),
    ],
)
def test_status_list_credential_refuses_bad_arguments(changes, message):
    arguments = {**GOOD, "status_list": StatusList(), **changes}
    with pytest.raises(StatusListError, match=message):
        status_list_credential(**arguments)


def test_status_list_credential_with_an_issuer_profile():
    profile = {"id": "did:web:badges.example.kr", "name": "서울시 청소년센터"}
    document = status_list_credential(**{**GOOD, "issuer": profile, "status_list": StatusList()})
    assert document["issuer"] == profile


# -- reading entries --------------------------------------------------------------------------


def test_entry_without_a_status_purpose():
    entry = {k: v for k, v in VALIDATOR_ENTRY.items() if k != "statusPurpose"}
    with pytest.raises(StatusListError, match="entry has no statusPurpose"):
        read_status(entry, VALIDATOR_LIST_DOCUMENT)


def test_entry_type_that_is_neither_text_nor_a_list():
    with pytest.raises(StatusListError, match="Unsupported credentialStatus type"):
        read_status({**VALIDATOR_ENTRY, "type": {"name": "x"}}, VALIDATOR_LIST_DOCUMENT)


def test_list_subject_given_as_a_one_item_list_is_read():
    document = {
        **VALIDATOR_LIST_DOCUMENT,
        "credentialSubject": [VALIDATOR_LIST_DOCUMENT["credentialSubject"]],
    }
    assert read_status(VALIDATOR_ENTRY, document).set is True


@pytest.mark.parametrize("subject", [[], "https://example.com/status/3#list", None])
def test_list_without_a_single_subject(subject):
    document = {**VALIDATOR_LIST_DOCUMENT, "credentialSubject": subject}
    with pytest.raises(StatusListError, match="no single credentialSubject"):
        read_status(VALIDATOR_ENTRY, document)


@pytest.mark.parametrize("purposes", [None, [], ["revocation", 3]])
def test_list_without_a_status_purpose(purposes):
    with pytest.raises(StatusListError, match="status list has no statusPurpose"):
        read_status(VALIDATOR_ENTRY, with_subject(statusPurpose=purposes))


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([{"status": "0x1", "message": "x"}], "exactly two messages"),
        ("revoked", "exactly two messages"),
        (["0x0", "0x1"], "needs a 'status'"),
        ([{"status": "0x0"}, {"status": "one"}], "'one' is not a hexadecimal value"),
    ],
)
def test_malformed_status_messages(messages, expected):
    with pytest.raises(StatusListError, match=expected):
        read_status({**VALIDATOR_ENTRY, "statusMessage": messages}, VALIDATOR_LIST_DOCUMENT)


def test_status_message_without_text_falls_back_to_the_purpose_message():
    messages = [{"status": "0x0"}, {"status": "0x1"}]
    result = read_status({**VALIDATOR_ENTRY, "statusMessage": messages}, VALIDATOR_LIST_DOCUMENT)
    assert result.message == "The issuer has revoked this credential."


@pytest.mark.parametrize(("index", "is_set"), [(23, True), (24, False)])
def test_other_purposes_get_a_generic_message(index, is_set):
    entry = {**VALIDATOR_ENTRY, "statusPurpose": "refresh", "statusListIndex": index}
    result = read_status(entry, with_subject(statusPurpose="refresh"))
    assert result.set is is_set
    assert result.message == (
        "Status 'refresh' is set." if is_set else "Status 'refresh' is not set."
    )


# -- 1EdTech revocation lists -----------------------------------------------------------------


@pytest.mark.parametrize(
    "revoked",
    [
        {"id": ONE_EDTECH_CREDENTIAL_ID, "revocationReason": "  잘못 발급됨  "},
        [ONE_EDTECH_CREDENTIAL_ID],
    ],
)
def test_one_edtech_list_written_as_one_object_or_bare_ids(revoked):
    result = read_status(
        ONE_EDTECH_ENTRY, {"revokedCredentials": revoked}, credential_id=ONE_EDTECH_CREDENTIAL_ID
    )
    assert result.set is True
    if isinstance(revoked, dict):
        assert result.message.endswith("Reason given: 잘못 발급됨")
