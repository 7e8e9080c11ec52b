"""Bitstring Status List 1.0 (and the legacy / 1EdTech forms Baeji reads) through the public API."""

import base64
import gzip

import pytest
from openbadgeslib.ob3.status import decode_encoded_list, set_indices
from openbadgeslib.ob3.status_list import encode_bitstring

from baeji.credentials.contexts import VC_V2
from baeji.credentials.errors import StatusListError
from baeji.credentials.status import (
    MIN_LENGTH,
    PURPOSES,
    StatusList,
    StatusResult,
    allocate_index,
    read_status,
    status_entry,
    status_list_credential,
)

# Values from the standards folder: vectors/bitstring-status-list.json.
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
VALIDATOR_LIST = "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA"
# The spec example without the multibase prefix: how StatusList2021 lists were written.
LEGACY_LIST = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

# The 1EdTech validator's fixtures ob30/bit-string-list/testlist and
# credential-status-revoked.json (its credentialStatus), copied as published.
VALIDATOR_LIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)
VALIDATOR_LIST_DOCUMENT = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://example.com/credentials/status/3",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "https://1edtech.edu/issuers/565049",
    "validFrom": "2021-04-05T14:27:40Z",
    "credentialSubject": {
        "id": "https://example.com/status/3#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": VALIDATOR_LIST,
    },
}
VALIDATOR_ENTRY = {
    "id": VALIDATOR_LIST_URL + "#23",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": 23,
    "statusListCredential": VALIDATOR_LIST_URL,
}

# The 1EdTech validator fixture ob30/credential-status-revoked.json (id and credentialStatus).
ONE_EDTECH_CREDENTIAL_ID = (
    "https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/"
    "54418d3f-ec01-4652-800a-861c890a51a1"
)
ONE_EDTECH_ENTRY = {
    "id": "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/"
    "da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
    "type": "1EdTechRevocationList",
}

LIST_URL = "https://badges.example.kr/status/revocation/1"


def _raw_bits(encoded: str) -> bytes:
    """Decode an encodedList by hand, independently of the code under test."""
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _encoded(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- published examples ---------------------------------------------------------------------


def test_spec_example_list_decodes_to_131072_unset_entries():
    status_list = StatusList.decode(SPEC_EXAMPLE_LIST)
    assert status_list.length == 131072
    assert status_list.set_indexes() == []
    assert status_list.get(0) is False
    assert status_list.get(131071) is False


def test_validator_list_has_only_bit_23_set():
    status_list = StatusList.decode(VALIDATOR_LIST)
    assert status_list.length == 131072
    assert status_list.set_indexes() == [23]
    assert status_list.get(23) is True
    assert status_list.get(22) is False
    assert status_list.get(24) is False


def test_legacy_status_list_2021_form_without_prefix_is_read():
    status_list = StatusList.decode(LEGACY_LIST)
    assert status_list.length == 131072
    assert status_list.set_indexes() == []


def test_legacy_form_in_standard_base64_with_padding_is_read():
    raw = bytearray(MIN_LENGTH // 8)
    raw[0] = 0x40  # index 1
    legacy = base64.b64encode(gzip.compress(bytes(raw), mtime=0)).decode()
    assert legacy.startswith("H4sI")
    assert StatusList.decode(legacy).set_indexes() == [1]


# --- set / get / encode ---------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 7, 8, 65535, MIN_LENGTH - 2, MIN_LENGTH - 1])
def test_set_clear_get_round_trip(index):
    status_list = StatusList()
    assert status_list.get(index) is False
    status_list.set(index)
    assert status_list.get(index) is True
    assert status_list.set_indexes() == [index]
    status_list.set(index, False)
    assert status_list.get(index) is False
    assert status_list.set_indexes() == []


def test_index_zero_is_the_leftmost_bit_of_the_first_byte_and_the_last_the_rightmost():
    status_list = StatusList()
    status_list.set(0)
    status_list.set(MIN_LENGTH - 1)
    raw = _raw_bits(status_list.encode())
    assert len(raw) == MIN_LENGTH // 8
    assert raw[0] == 0x80
    assert raw[-1] == 0x01
    assert not any(raw[1:-1])


def test_setting_one_bit_leaves_its_neighbours_alone():
    status_list = StatusList()
    status_list.set(9)
    status_list.set(10)
    status_list.set(9, False)
    assert status_list.set_indexes() == [10]
    assert _raw_bits(status_list.encode())[1] == 0x20


def test_encode_decode_round_trip_keeps_every_set_bit():
    status_list = StatusList(MIN_LENGTH * 2)
    indexes = [0, 3, 4096, 131071, 131072, MIN_LENGTH * 2 - 1]
    for index in indexes:
        status_list.set(index)
    encoded = status_list.encode()
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded
    decoded = StatusList.decode(encoded)
    assert decoded.length == MIN_LENGTH * 2
    assert decoded.set_indexes() == indexes


def test_encoding_is_deterministic():
    first, second = StatusList(), StatusList()
    first.set(42)
    second.set(42)
    assert first.encode() == second.encode()


def test_an_independent_implementation_reads_our_list_and_we_read_its_list():
    ours = StatusList()
    for index in (0, 23, 99999, MIN_LENGTH - 1):
        ours.set(index)
    assert sorted(set_indices(decode_encoded_list(ours.encode()))) == [0, 23, 99999, 131071]
    theirs = encode_bitstring([5, 70000])
    assert StatusList.decode(theirs).set_indexes() == [5, 70000]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 8, MIN_LENGTH - 8, MIN_LENGTH + 4, -MIN_LENGTH])
def test_lengths_below_the_minimum_or_not_whole_bytes_are_refused(length):
    with pytest.raises(StatusListError):
        StatusList(length)


def test_minimum_length_is_the_default_and_longer_lists_are_allowed():
    assert StatusList().length == MIN_LENGTH == 131072
    assert StatusList(MIN_LENGTH + 8).length == MIN_LENGTH + 8


def test_decoding_a_list_shorter_than_the_minimum_is_refused():
    short = _encoded(gzip.compress(bytes(1024), mtime=0))
    with pytest.raises(StatusListError, match="at least 131072"):
        StatusList.decode(short)


@pytest.mark.parametrize(
    "encoded",
    [
        "zH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        "mH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        "",
    ],
)
def test_a_wrong_or_missing_multibase_prefix_is_refused(encoded):
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_characters_outside_base64url_are_refused():
    with pytest.raises(StatusListError, match="base64url"):
        StatusList.decode("uH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwf/AAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")


def test_data_that_is_not_gzip_is_refused():
    with pytest.raises(StatusListError, match="GZIP"):
        StatusList.decode(_encoded(bytes(16384)))


def test_corrupt_gzip_is_refused():
    compressed = bytearray(gzip.compress(bytes(16384), mtime=0))
    compressed[12:20] = b"\xff" * 8
    with pytest.raises(StatusListError, match="corrupt"):
        StatusList.decode(_encoded(bytes(compressed)))


def test_truncated_gzip_is_refused():
    compressed = gzip.compress(bytes(16384), mtime=0)
    with pytest.raises(StatusListError, match="cut short"):
        StatusList.decode(_encoded(compressed[:-6]))


def test_bytes_after_the_gzip_stream_are_refused():
    compressed = gzip.compress(bytes(16384), mtime=0) + b"extra"
    with pytest.raises(StatusListError, match="after its end"):
        StatusList.decode(_encoded(compressed))


def test_a_list_that_expands_beyond_16_mib_is_refused():
    bomb = gzip.compress(bytes(16 * 1024 * 1024 + 1), mtime=0)
    with pytest.raises(StatusListError, match="more than"):
        StatusList.decode(_encoded(bomb))


@pytest.mark.parametrize("index", [-1, MIN_LENGTH, MIN_LENGTH + 100])
def test_get_and_set_outside_the_list_are_refused(index):
    status_list = StatusList()
    with pytest.raises(StatusListError, match="outside"):
        status_list.get(index)
    with pytest.raises(StatusListError, match="outside"):
        status_list.set(index)


@pytest.mark.parametrize("index", ["3", 1.0, True, None])
def test_indexes_must_be_integers(index):
    with pytest.raises(StatusListError):
        StatusList().get(index)


# --- index allocation -----------------------------------------------------------------------


def test_allocate_index_never_returns_a_used_index():
    used: set[int] = set()
    for _ in range(300):
        index = allocate_index(MIN_LENGTH, used.__contains__)
        assert 0 <= index < MIN_LENGTH
        assert index not in used
        used.add(index)
    assert len(used) == 300


def test_allocate_index_skips_taken_positions_and_returns_the_free_one():
    asked: list[int] = []

    def is_used(index: int) -> bool:
        asked.append(index)
        return len(asked) <= 5  # the first five positions drawn are taken

    index = allocate_index(MIN_LENGTH, is_used)
    assert len(asked) == 6
    assert index == asked[-1]


def test_allocate_index_refuses_when_the_list_is_full():
    calls: list[int] = []

    def always_used(index: int) -> bool:
        calls.append(index)
        return True

    with pytest.raises(StatusListError, match="full"):
        allocate_index(MIN_LENGTH, always_used, attempts=10)
    assert len(calls) == 10


def test_allocate_index_draws_spread_out_positions():
    drawn = {allocate_index(MIN_LENGTH, lambda _: False) for _ in range(50)}
    # Random draws from 131072 positions: sequential allocation would give 1 value here.
    assert len(drawn) > 40


@pytest.mark.parametrize("length", [1000, MIN_LENGTH + 1])
def test_allocate_index_refuses_impossible_lengths(length):
    with pytest.raises(StatusListError):
        allocate_index(length, lambda _: False)


# --- entries and list credentials -----------------------------------------------------------


def test_status_entry_shape():
    assert status_entry(list_credential_url=LIST_URL, index=94567, purpose="revocation") == {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    ("index", "purpose"), [(-1, "revocation"), ("5", "revocation"), (5, "refresh"), (5, "")]
)
def test_status_entry_refuses_bad_values(index, purpose):
    with pytest.raises(StatusListError):
        status_entry(list_credential_url=LIST_URL, index=index, purpose=purpose)


def test_status_list_credential_shape():
    status_list = StatusList()
    status_list.set(7)
    credential = status_list_credential(
        url=LIST_URL,
        issuer={"id": "did:web:badges.example.kr", "type": ["Profile"], "name": "배지 대학교"},
        purpose="suspension",
        status_list=status_list,
        valid_from="2025-03-01T00:00:00Z",
    )
    assert credential["@context"] == [VC_V2]
    assert credential["id"] == LIST_URL
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["issuer"]["name"] == "배지 대학교"
    assert credential["validFrom"] == "2025-03-01T00:00:00Z"
    assert "validUntil" not in credential
    assert "proof" not in credential
    subject = credential["credentialSubject"]
    assert subject["id"] == LIST_URL + "#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "suspension"
    assert StatusList.decode(subject["encodedList"]).set_indexes() == [7]


def test_status_list_credential_with_valid_until():
    credential = status_list_credential(
        url=LIST_URL,
        issuer="did:web:badges.example.kr",
        purpose="revocation",
        status_list=StatusList(),
        valid_from="2025-03-01T00:00:00Z",
        valid_until="2025-03-02T00:00:00Z",
    )
    assert credential["issuer"] == "did:web:badges.example.kr"
    assert credential["validUntil"] == "2025-03-02T00:00:00Z"


@pytest.mark.parametrize("purpose", ["message", "Revocation", None])
def test_status_list_credential_refuses_unknown_purposes(purpose):
    with pytest.raises(StatusListError):
        status_list_credential(
            url=LIST_URL,
            issuer="did:web:badges.example.kr",
            purpose=purpose,
            status_list=StatusList(),
            valid_from="2025-03-01T00:00:00Z",
        )


def test_purposes():
    assert PURPOSES == ("revocation", "suspension")


# --- reading status -------------------------------------------------------------------------


def test_validator_fixture_credential_is_revoked():
    result = read_status(VALIDATOR_ENTRY, VALIDATOR_LIST_DOCUMENT)
    assert result == StatusResult("revocation", True, result.message)
    assert "revoked" in result.message


def test_another_index_in_the_validator_list_is_not_revoked():
    entry = {**VALIDATOR_ENTRY, "statusListIndex": "22"}
    result = read_status(entry, VALIDATOR_LIST_DOCUMENT)
    assert result.purpose == "revocation"
    assert result.set is False


def _issued(purpose: str, index: int, set_bit: bool) -> tuple[dict, dict]:
    status_list = StatusList()
    if set_bit:
        status_list.set(index)
    document = status_list_credential(
        url=LIST_URL,
        issuer="did:web:badges.example.kr",
        purpose=purpose,
        status_list=status_list,
        valid_from="2025-03-01T00:00:00Z",
    )
    return status_entry(list_credential_url=LIST_URL, index=index, purpose=purpose), document


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("set_bit", [True, False])
def test_our_own_entries_read_back(purpose, set_bit):
    entry, document = _issued(purpose, MIN_LENGTH - 1, set_bit)
    result = read_status(entry, document)
    assert result.purpose == purpose
    assert result.set is set_bit
    assert result.message


def test_purpose_mismatch_is_refused():
    entry = {**VALIDATOR_ENTRY, "statusPurpose": "suspension"}
    with pytest.raises(StatusListError, match="suspension"):
        read_status(entry, VALIDATOR_LIST_DOCUMENT)


def test_a_list_with_several_purposes_matches_any_of_them():
    document = {
        **VALIDATOR_LIST_DOCUMENT,
        "credentialSubject": {
            **VALIDATOR_LIST_DOCUMENT["credentialSubject"],
            "statusPurpose": ["suspension", "revocation"],
        },
    }
    assert read_status(VALIDATOR_ENTRY, document).set is True


def test_index_beyond_the_list_is_refused():
    entry = {**VALIDATOR_ENTRY, "statusListIndex": str(MIN_LENGTH)}
    with pytest.raises(StatusListError, match="outside"):
        read_status(entry, VALIDATOR_LIST_DOCUMENT)


@pytest.mark.parametrize("index", ["-1", "1e3", "", None, True, -3, "٣"])
def test_malformed_index_is_refused(index):
    with pytest.raises(StatusListError, match="statusListIndex"):
        read_status({**VALIDATOR_ENTRY, "statusListIndex": index}, VALIDATOR_LIST_DOCUMENT)


def test_multi_bit_status_size_is_refused_clearly():
    entry = {
        **VALIDATOR_ENTRY,
        "statusPurpose": "message",
        "statusSize": 2,
        "statusMessage": [
            {"status": "0x0", "message": "pending_review"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "undefined"},
        ],
    }
    with pytest.raises(StatusListError, match="statusSize 2"):
        read_status(entry, VALIDATOR_LIST_DOCUMENT)


@pytest.mark.parametrize("size", [0, "1", True])
def test_malformed_status_size_is_refused(size):
    with pytest.raises(StatusListError, match="statusSize"):
        read_status({**VALIDATOR_ENTRY, "statusSize": size}, VALIDATOR_LIST_DOCUMENT)


def test_status_size_one_is_accepted():
    assert read_status({**VALIDATOR_ENTRY, "statusSize": 1}, VALIDATOR_LIST_DOCUMENT).set is True


def test_status_messages_of_a_one_bit_entry_are_used():
    entry = {
        **VALIDATOR_ENTRY,
        "statusMessage": [
            {"status": "0x0", "message": "valid"},
            {"status": "0x1", "message": "withdrawn by the registrar"},
        ],
    }
    assert read_status(entry, VALIDATOR_LIST_DOCUMENT).message == "withdrawn by the registrar"


def test_a_list_document_of_the_wrong_type_is_refused():
    document = {**VALIDATOR_LIST_DOCUMENT, "type": ["VerifiableCredential"]}
    with pytest.raises(StatusListError, match="BitstringStatusListCredential"):
        read_status(VALIDATOR_ENTRY, document)


def test_a_list_subject_of_the_wrong_type_is_refused():
    subject = {**VALIDATOR_LIST_DOCUMENT["credentialSubject"], "type": "StatusList2021"}
    with pytest.raises(StatusListError, match="BitstringStatusList"):
        read_status(VALIDATOR_ENTRY, {**VALIDATOR_LIST_DOCUMENT, "credentialSubject": subject})


def test_a_corrupt_encoded_list_in_a_document_is_refused():
    subject = {**VALIDATOR_LIST_DOCUMENT["credentialSubject"], "encodedList": "uAAAA"}
    with pytest.raises(StatusListError):
        read_status(VALIDATOR_ENTRY, {**VALIDATOR_LIST_DOCUMENT, "credentialSubject": subject})


def test_missing_entry_fields_are_refused():
    for field in ("statusPurpose", "statusListIndex", "statusListCredential"):
        entry = {k: v for k, v in VALIDATOR_ENTRY.items() if k != field}
        with pytest.raises(StatusListError):
            read_status(entry, VALIDATOR_LIST_DOCUMENT)


def test_legacy_status_list_2021_entry_and_credential():
    raw = bytearray(MIN_LENGTH // 8)
    raw[94567 // 8] |= 0x80 >> (94567 % 8)
    legacy_list = base64.urlsafe_b64encode(gzip.compress(bytes(raw), mtime=0)).decode()
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
        ],
        "id": "https://example.com/credentials/status/3",
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:example:12345",
        "issuanceDate": "2021-04-05T14:27:40Z",
        # Some publishers capitalise the purpose; it still means revocation.
        "credentialSubject": {
            "type": "StatusList2021",
            "statusPurpose": "Revocation",
            "encodedList": legacy_list,
        },
    }
    entry = {
        "id": "https://example.com/credentials/status/3#94567",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://example.com/credentials/status/3",
    }
    assert read_status(entry, document).set is True
    assert read_status({**entry, "statusListIndex": "94566"}, document).set is False
    with pytest.raises(StatusListError, match="StatusList2021Credential"):
        read_status(entry, VALIDATOR_LIST_DOCUMENT)


def test_unknown_entry_types_are_refused():
    with pytest.raises(StatusListError, match="Unsupported"):
        read_status({**VALIDATOR_ENTRY, "type": "RevocationList2020Status"}, {})


def test_entries_and_lists_must_be_objects():
    with pytest.raises(StatusListError):
        read_status("entry", VALIDATOR_LIST_DOCUMENT)
    with pytest.raises(StatusListError):
        read_status(VALIDATOR_ENTRY, ["not", "a", "list", "document"])


# --- 1EdTech Revocation List ----------------------------------------------------------------


def _revocation_list(*items: dict) -> dict:
    return {
        "id": ONE_EDTECH_ENTRY["id"],
        "issuer": "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:"
        "da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
        "revokedCredentials": list(items),
    }


def test_one_edtech_list_revoked():
    document = _revocation_list(
        {"id": "https://example.edu/credentials/1"},
        {"id": ONE_EDTECH_CREDENTIAL_ID, "revocationReason": "Issued in error"},
    )
    result = read_status(ONE_EDTECH_ENTRY, document, credential_id=ONE_EDTECH_CREDENTIAL_ID)
    assert result.purpose == "revocation"
    assert result.set is True
    assert "Issued in error" in result.message


def test_one_edtech_list_not_revoked():
    document = _revocation_list({"id": "https://example.edu/credentials/1"})
    result = read_status(ONE_EDTECH_ENTRY, document, credential_id=ONE_EDTECH_CREDENTIAL_ID)
    assert result == StatusResult("revocation", False, result.message)


def test_one_edtech_empty_list_is_not_revoked():
    result = read_status(
        ONE_EDTECH_ENTRY, _revocation_list(), credential_id=ONE_EDTECH_CREDENTIAL_ID
    )
    assert result.set is False


@pytest.mark.parametrize(("revoked", "expected"), [(True, True), (False, False), ("true", True)])
def test_one_edtech_revoked_flag(revoked, expected):
    document = _revocation_list({"id": ONE_EDTECH_CREDENTIAL_ID, "revoked": revoked})
    result = read_status(ONE_EDTECH_ENTRY, document, credential_id=ONE_EDTECH_CREDENTIAL_ID)
    assert result.set is expected


def test_one_edtech_singular_property_name_as_the_1edtech_validator_reads_it():
    document = {"revokedCredential": [{"id": ONE_EDTECH_CREDENTIAL_ID}]}
    result = read_status(ONE_EDTECH_ENTRY, document, credential_id=ONE_EDTECH_CREDENTIAL_ID)
    assert result.set is True


def test_one_edtech_needs_the_credential_id():
    with pytest.raises(StatusListError, match="credential_id"):
        read_status(ONE_EDTECH_ENTRY, _revocation_list())


@pytest.mark.parametrize(
    "document",
    [
        {"id": "x"},
        {"revokedCredentials": "all of them"},
        {"revokedCredentials": [{"revocationReason": "no id"}]},
        {"revokedCredentials": [{"id": ONE_EDTECH_CREDENTIAL_ID, "revoked": "maybe"}]},
    ],
)
def test_one_edtech_malformed_lists_are_refused(document):
    with pytest.raises(StatusListError):
        read_status(ONE_EDTECH_ENTRY, document, credential_id=ONE_EDTECH_CREDENTIAL_ID)
