"""JSON-LD edge cases: odd shapes give the fast path's and pyld's result, or the same refusal."""

from __future__ import annotations

import copy

import pytest

from baeji.credentials import jsonld
from baeji.credentials.contexts import OB_V3P0, VC_V1, VC_V2
from baeji.credentials.errors import ContextError

from .eddsa_samples import realistic_credential
from .test_jsonld import _same_result


def credential(**changes) -> dict:
    document = realistic_credential()
    document.update(changes)
    return document


def achievement_with(**changes) -> dict:
    document = realistic_credential()
    document["credentialSubject"]["achievement"].update(changes)
    return document


CASES = {
    # A term whose values are raw JSON (@json): the fast path leaves it to pyld.
    "json literal": credential(_sd=["a", {"b": 1}]),
    "blank node named twice": credential(
        issuer={"id": "_:issuer", "type": ["Profile"], "name": "센터"},
        credentialSubject={
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.kr/a/1",
                "type": ["Achievement"],
                "name": "n",
                "creator": {"id": "_:issuer"},
            },
        },
    ),
    "language-tagged value in a type-scoped node": achievement_with(
        name={"@value": "수영 3단계", "@language": "ko"}
    ),
    "type and @type together": achievement_with(**{"@type": "Achievement"}),
    "id and @id together": achievement_with(**{"@id": "https://example.kr/a/2"}),
    "a type that is not text": achievement_with(type=["Achievement", 5]),
    "an id that is not text": achievement_with(id=5),
    "proof graph with null and text items": credential(proof=[None, "not a node"]),
    "result description with a list of allowed values": achievement_with(
        resultDescription=[
            {
                "id": "https://example.kr/rd/1",
                "type": ["ResultDescription"],
                "name": "등급",
                "resultType": "LetterGrade",
                "allowedValue": ["A", None, "B"],
            }
        ]
    ),
    "allowed values that are lists of lists": achievement_with(
        resultDescription=[
            {
                "id": "https://example.kr/rd/1",
                "type": ["ResultDescription"],
                "name": "등급",
                "resultType": "LetterGrade",
                "allowedValue": [["A"], ["B"]],
            }
        ]
    ),
    "empty list of allowed values": achievement_with(
        resultDescription=[
            {
                "id": "https://example.kr/rd/1",
                "type": ["ResultDescription"],
                "name": "등급",
                "resultType": "LetterGrade",
                "allowedValue": [],
            }
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_agrees_with_pyld(name):
    _same_result(copy.deepcopy(CASES[name]))


def test_conflicting_bundled_contexts_are_refused_on_both_paths():
    # VC 1.1 redefines terms VC 2.0 protects.
    document = credential(**{"@context": [VC_V2, VC_V1, OB_V3P0]})
    assert jsonld.canonicalize_fast_only(document) is None
    for fast in (False, True):
        with pytest.raises(ContextError, match="protected term redefinition"):
            jsonld.canonicalize(document, fast=fast)


def test_term_mapped_to_null_is_refused_as_dropped():
    document = credential(**{"@context": [VC_V2, OB_V3P0, {"hidden": None}]}, hidden="x")
    for fast in (False, True):
        with pytest.raises(ContextError, match="maps to no IRI"):
            jsonld.canonicalize(document, fast=fast)


def test_relative_iri_under_reverse_is_refused():
    document = credential(**{"@reverse": {"https://schema.org/knows": {"@id": "people/minjun"}}})
    for fast in (False, True):
        with pytest.raises(ContextError, match="'people/minjun' is a relative IRI"):
            jsonld.canonicalize(document, fast=fast)
    document["@reverse"]["https://schema.org/knows"]["@id"] = "https://example.kr/people/minjun"
    _same_result(document)
