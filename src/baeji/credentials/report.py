"""Verification reports: a list of named checks, never a bare boolean.

The public badge page, ``/verify``, the API and the ``baeji verify`` command all render the
same :class:`VerificationReport`.

Every :class:`Check` carries, besides its English ``message``, a stable ``code`` saying what
was found and ``params`` with the values the message names, so that a user interface can say
it in the reader's language (the web pages do, see ``baeji.verification.explain``) and a
program can act on it without parsing English. ``baeji verify --json`` shows both. Params are
JSON values only: text, whole numbers and lists of text. Dates are the ISO 8601 text the
credential gives (OB 2.0: as parsed, in ISO form). A message may say more than its params,
for instance the error text of a JSON Schema validator, a network error or an issuer's own
wording; it is always the full English account.

Codes (check names in brackets; a code is reused wherever it means the same):

==================================  ===========================================================
code                                meaning; params
==================================  ===========================================================
``format.ob3``                      [format] a VC 2.0 Open Badges 3.0 credential
``format.vc1``                      [format] warn: a VC 1.1 document (OB 3.0 now uses VC 2.0)
``format.clr``                      [format] a VC 2.0 CLR 2.0 ClrCredential
``format.clr_outdated``             [format] warn: a CLR in VC 1.1 or with the draft context
``format.ob2``                      [format] an OB 2.0 assertion; ``verification`` (``hosted``
                                    or ``signed``)
``format.ob2_jws``                  [format] an OB 2.0 signed assertion given as its JWS
``format.invalid``                  [format] a credential, but required parts are missing or
                                    wrong (the message lists them)
``format.unreadable``               [format] not readable as a credential at all (not JSON, a
                                    JWS, a URL or a baked image; a broken JWS ...)
``format.not_clr``                  [format] ``verify_clr`` was given something that is no CLR
``format.not_achievement``          [format] a CLR carries something other than an
                                    AchievementCredential; ``types``
``format.gone``                     [format] the OB 2.0 assertion URL answers 410 Gone; ``url``
``not_checked.format_failed``       [any OB 2.0 check] skipped: the format check failed
``schema.passed``                   [schema] matches its bundled schemas; ``schemas``,
                                    ``unchecked`` (ids of schemas not bundled)
``schema.failed``                   [schema] does not match; ``count`` (number of errors; the
                                    message holds the first five, in the validator's words)
``schema.not_bundled``              [schema] warn: none of its schemas is bundled;
                                    ``unchecked``
``schema.none``                     [schema] skip: it names no JSON Schema
``proof.verified``                  [proof] Data Integrity proofs verify; ``count``, ``suite``
``proof.verified_jwt``              [proof] the VC-JWT signature verifies; ``alg``
``proof.signed``                    [proof] the OB 2.0 JWS verifies; ``alg``, ``key``,
                                    ``issuer``
``proof.hosted``                    [proof] the issuer hosts the same OB 2.0 assertion; ``url``
``proof.gone``                      [proof] skip: the hosted assertion answers 410 Gone;
                                    ``url``
``proof.failed``                    [proof] the signature does not verify (changed after
                                    signing, or malformed); the message says how
``proof.missing``                   [proof] the credential has no proof
``proof.invalid``                   [proof] the ``proof`` property cannot be read
``proof.unsupported``               [proof] a proof type or cryptosuite Baeji does not verify
``proof.wrong_purpose``             [proof] the proof's purpose is not ``assertionMethod``
``proof.key_unresolved``            [proof] the signing key cannot be found or read (unknown
                                    key, DID not resolvable); ``key``
``proof.key_invalid``               [proof] the OB 2.0 signing key document is unusable;
                                    ``key``
``proof.key_not_issuer``            [proof] the OB 2.0 signature verifies but nothing ties the
                                    key to the issuer; ``key``, ``issuer`` (when known)
``proof.needs_jws``                 [proof] a signed OB 2.0 assertion was given as JSON
``proof.bad_algorithm``             [proof] the OB 2.0 JWS uses an algorithm not allowed;
                                    ``alg``
``proof.no_key``                    [proof] the OB 2.0 assertion names no signing key
``proof.hosted_differs``            [proof] the hosted OB 2.0 assertion differs; ``url``
``hosted.unavailable``              [proof] the hosted OB 2.0 assertion cannot be
                                    fetched; ``url``, ``http_status`` (when it answered)
``hosted.invalid``                  [proof] the hosted document is not an assertion; ``url``
``hosted.id_invalid``               [issuer, proof] a hosted OB 2.0 assertion's id is no URL
``document.unavailable``            [any OB 2.0 check] a document it needs cannot be fetched;
                                    ``url``, ``document`` (``assertion``, ``BadgeClass``,
                                    ``issuer profile``, ``issuer verification policy``,
                                    ``signing key``, ``revocation list``), ``http_status``
``document.invalid``                [any OB 2.0 check] that document is not a JSON object;
                                    ``url``, ``document``
``issuer.verified``                 [issuer] signed with a key the issuer controls; ``issuer``
``issuer.wrong_key``                [issuer] the key is controlled by someone else; ``key``,
                                    ``controller``, ``issuer``
``issuer.key_revoked``              [issuer] the issuer revoked the signing key; ``key``,
                                    ``revoked`` (when), ``issuer``
``issuer.embedded_key``             [issuer] warn: the VC-JWT embeds its key (no tie to issuer)
``issuer.not_checked``              [issuer] skip: no verified proof to bind the issuer to
``issuer.ob2``                      [issuer] OB 2.0 badge and issuer read; ``badge``,
                                    ``issuer_name``, ``issuer``
``issuer.ob2_warnings``             [issuer] warn: the same, with warnings in the message
``issuer.badge_invalid``            [issuer] the OB 2.0 BadgeClass is not valid; ``missing``
                                    (when properties are missing)
``issuer.profile_invalid``          [issuer] the OB 2.0 issuer profile is not valid
``issuer.profile_wrong_host``       [issuer] the profile claims an id on another host; ``url``,
                                    ``issuer``
``issuer.policy_unsupported``       [issuer] the issuer's verification policy is unsupported
``issuer.out_of_scope``             [issuer] the issuer's policy does not cover the assertion's
                                    address; ``assertion``
``validity.valid``                  [validity] within its dates; ``valid_from``,
                                    ``valid_until``
``validity.no_expiry``              [validity] valid since ``valid_from``, does not expire
``validity.expired``                [validity] expired; ``valid_until``
``validity.not_yet_valid``          [validity] not valid yet; ``valid_from``
``validity.expires_before_issued``  [validity] OB 2.0: expires before issued; ``valid_from``,
                                    ``valid_until``
``validity.invalid_date``           [validity] a date cannot be read
``status.active``                   [status] no status list marks it; ``purposes`` (e.g.
                                    ``["revocation"]``)
``status.not_revoked``              [status] OB 2.0: not revoked (hosted copy, revocation list)
``status.revoked``                  [status] revoked; ``reason`` (when the issuer gave one),
                                    ``purpose`` (OB 3.0)
``status.revoked_gone``             [status] OB 2.0: revoked, the issuer answers 410; ``url``
``status.suspended``                [status] suspended; ``purpose``
``status.set``                      [status] a status of another purpose is set; ``purpose``
``status.untrusted``                [status] the status list is invalid or not the issuer's;
                                    ``url``
``status.invalid``                  [status] a ``credentialStatus`` entry is not an object
``status.list_invalid``             [status] OB 2.0: the revocation list is unusable; ``url``
``status.unavailable``              [status] warn: the status list cannot be fetched; ``url``
``status.none``                     [status] skip: no status entry (it cannot be revoked)
``status.no_list``                  [status] skip: OB 2.0 issuer publishes no revocation list
``status.not_checked``              [status] skip: OB 2.0 hosted assertion unusable
``recipient.matched``               [recipient] issued to ``email``
``recipient.mismatch``              [recipient] not issued to ``email``; ``identity_type`` (OB
                                    2.0, when not an e-mail identity)
``recipient.none``                  [recipient] the credential names no e-mail identity
``recipient.invalid``               [recipient] OB 2.0: the hashed identity is malformed
``recipient.no_email``              [recipient] skip: no e-mail address given to compare
``endorsements.verified``           [endorsements] every embedded endorsement verifies;
                                    ``count``
``endorsements.failed``             [endorsements] some do not; ``failed``, ``count``
``endorsements.too_deep``           [endorsements] warn: nested too deeply, not checked
``endorsements.none``               [endorsements] skip: no embedded endorsements
``inner_credentials.verified``      [inner credentials] every credential in a CLR verifies;
                                    ``count``
``inner_credentials.warnings``      [inner credentials] warn: all verify, some with warnings;
                                    ``count``, ``warned``
``inner_credentials.failed``        [inner credentials] some fail; ``failed``, ``count``
``inner_credentials.none``          [inner credentials] the CLR carries no credentials
``associations.verified``           [associations] every association links known achievements;
                                    ``count``
``associations.problems``           [associations] warn: some do not; ``count``
``associations.none``               [associations] skip: the CLR links no achievements
==================================  ===========================================================

Codes are only ever added; one is never reused for another meaning. A check read back from
before codes existed has the code ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "warn", "skip"]


@dataclass(frozen=True)
class Check:
    """One named check: ``status`` is pass, fail, warn or skip; ``message`` is for people.

    ``code`` says what the check found in a form programs can rely on (see the table in the
    module docstring) and ``params`` holds the values the message names (JSON values only:
    text, whole numbers, lists of text), so a user interface can say the same in another
    language. ``message`` stays the English sentence it always was.
    """

    name: str
    status: Status
    message: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The check as the ``--json`` output and the API show it."""
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "code": self.code,
            "params": dict(self.params),
        }


@dataclass
class VerificationReport:
    """The result of verifying one credential or assertion.

    ``valid`` is true when no check failed and at least one check passed. ``credential`` is
    the parsed credential (the JSON object, also for a JWT or a baked image) when it could
    be read; ``format`` says what was given (``json``, ``jwt``, ``png``, ``svg``, ``ob2`` ...).
    """

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    format: str = ""

    @property
    def valid(self) -> bool:
        """True when nothing failed and something passed."""
        statuses = [c.status for c in self.checks]
        return "fail" not in statuses and "pass" in statuses

    def add(
        self,
        name: str,
        status: Status,
        message: str,
        *,
        code: str,
        params: Mapping[str, Any] | None = None,
    ) -> Check:
        """Append a check with its ``code`` and ``params`` (see :class:`Check`) and return it."""
        check = Check(name, status, message, code, dict(params or {}))
        self.checks.append(check)
        return check

    def get(self, name: str) -> Check | None:
        """The first check with this name, or None."""
        return next((c for c in self.checks if c.name == name), None)

    def failed(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        """``{"valid": bool, "checks": [...]}``: the ``baeji verify --json`` contract."""
        return {"valid": self.valid, "checks": [c.to_dict() for c in self.checks]}
