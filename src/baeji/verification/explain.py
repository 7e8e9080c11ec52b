"""The engine's verification checks in the reader's language.

The credential engine (:mod:`baeji.credentials`) knows no Django and writes every check's
``message`` in English. Each check also carries a ``code`` and ``params`` (see the table in
:mod:`baeji.credentials.report`); :func:`explain_check` turns those into a sentence in the
active language, with gettext. What only the English message says — a JSON Schema
validator's errors, a network error, the list of what is missing, an issuer's own words — is
kept as ``detail``, a secondary line in its original language. A check without a known code
(a report stored before codes existed, or a code added to the engine later) is shown with its
English message, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from baeji.credentials.report import Check


@dataclass(frozen=True)
class CheckText:
    """What a page shows for one check: ``text`` in the page's language and, when the
    engine's English message says more than ``text``, that message as ``detail``."""

    text: str
    detail: str = ""


def _date(value: Any) -> str:
    """An ISO 8601 date and time as the active language writes a date (``2026년 5월 1일``,
    ``May 1, 2026``), on the site's clock; text that is no such date is shown as it is."""
    if not isinstance(value, str):
        return str(value)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return date_format(timezone.localtime(parsed), "DATE_FORMAT")


def _document(value: Any) -> str:
    """The name of an OB 2.0 document the engine could not fetch or read."""
    names = {
        "assertion": _("the badge"),
        "BadgeClass": _("the badge description"),
        "issuer profile": _("the issuer's profile"),
        "issuer verification policy": _("the issuer's verification policy"),
        "signing key": _("the signing key"),
        "revocation list": _("the issuer's revocation list"),
    }
    return names.get(str(value), str(value))


_DATES = frozenset({"valid_from", "valid_until", "revoked"})


def _values(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as a sentence shows them: dates in the reader's form, lists joined, document
    kinds named in the reader's language."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key in _DATES:
            values[key] = _date(value)
        elif key == "document":
            values[key] = _document(value)
        elif isinstance(value, list | tuple):
            values[key] = ", ".join(str(item) for item in value)
        else:
            values[key] = value
    return values


# -- wordings ------------------------------------------------------------------------------
#
# code -> (sentence, show the English message as a detail line). A sentence names params by
# their engine names (see the table in baeji.credentials.report); plural sentences choose
# their form by the param ``count``.

_WORDINGS: dict[str, tuple[Promise, bool]] = {
    # format
    "format.ob3": (
        gettext_lazy("It is an Open Badges 3.0 credential (Verifiable Credentials 2.0)."),
        False,
    ),
    "format.vc1": (
        gettext_lazy(
            "It is an Open Badges credential in the older Verifiable Credentials 1.1 form; "
            "Open Badges 3.0 now uses version 2.0."
        ),
        False,
    ),
    "format.clr": (gettext_lazy("It is a Comprehensive Learner Record (CLR 2.0)."), False),
    "format.clr_outdated": (
        gettext_lazy("It is a Comprehensive Learner Record in an older or pre-release form."),
        True,
    ),
    "format.ob2_jws": (gettext_lazy("It is a signed Open Badges 2.0 badge (JWS)."), False),
    "format.invalid": (
        gettext_lazy("It is not a valid badge credential: required parts are missing or wrong."),
        True,
    ),
    "format.unreadable": (gettext_lazy("This could not be read as a badge credential."), True),
    "format.not_clr": (
        gettext_lazy("This is not a Comprehensive Learner Record (CLR 2.0)."),
        False,
    ),
    "format.not_achievement": (
        gettext_lazy("A learner record may carry only badge credentials, not %(types)s."),
        False,
    ),
    "format.gone": (
        gettext_lazy("The issuer no longer publishes this badge at %(url)s (it answers 410 Gone)."),
        False,
    ),
    "not_checked.format_failed": (
        gettext_lazy("Not checked, because this is not a valid Open Badges 2.0 badge."),
        False,
    ),
    # schema
    "schema.failed": (
        ngettext_lazy(
            "Its fields do not follow the Open Badges data rules (JSON Schema): %(count)s problem.",
            "Its fields do not follow the Open Badges data rules (JSON Schema): "
            "%(count)s problems.",
            "count",
        ),
        True,
    ),
    "schema.not_bundled": (
        gettext_lazy(
            "The data rules (JSON Schema) it names are not known here, so its fields were "
            "not checked."
        ),
        True,
    ),
    "schema.none": (
        gettext_lazy("It names no data rules (JSON Schema) to check its fields against."),
        False,
    ),
    # proof
    "proof.verified": (
        gettext_lazy(
            "The issuer's digital signature is valid: nothing has changed since it was issued."
        ),
        False,
    ),
    "proof.verified_jwt": (
        gettext_lazy(
            "The issuer's digital signature (%(alg)s) is valid: nothing has changed since it "
            "was issued."
        ),
        False,
    ),
    "proof.signed": (
        gettext_lazy("The issuer's signature (%(alg)s) is valid, made with the key %(key)s."),
        False,
    ),
    "proof.hosted": (gettext_lazy("The issuer publishes this same badge at %(url)s."), False),
    "proof.gone": (gettext_lazy("The issuer no longer publishes this badge at %(url)s."), False),
    "proof.failed": (
        gettext_lazy(
            "The signature does not match: the badge was changed after it was issued, or the "
            "signature is damaged."
        ),
        True,
    ),
    "proof.missing": (gettext_lazy("It has no digital signature."), False),
    "proof.invalid": (gettext_lazy("Its digital signature cannot be read."), True),
    "proof.unsupported": (gettext_lazy("It is signed in a way this service cannot check."), True),
    "proof.wrong_purpose": (
        gettext_lazy("The signature was not made for issuing credentials."),
        True,
    ),
    "proof.key_unresolved": (
        gettext_lazy("The key it was signed with could not be found or read: %(key)s."),
        True,
    ),
    "proof.key_invalid": (
        gettext_lazy("The signing key published at %(key)s cannot be used."),
        True,
    ),
    "proof.key_not_issuer": (
        gettext_lazy(
            "The signature is valid, but nothing confirms that the key %(key)s belongs to the "
            "issuer."
        ),
        True,
    ),
    "proof.needs_jws": (
        gettext_lazy("This badge is signed: verify the signed form (JWS) instead of its JSON."),
        False,
    ),
    "proof.bad_algorithm": (
        gettext_lazy("The signature uses an algorithm that is not allowed (%(alg)s)."),
        False,
    ),
    "proof.no_key": (gettext_lazy("It does not name the key it was signed with."), False),
    "proof.hosted_differs": (
        gettext_lazy("The badge the issuer publishes at %(url)s differs from this one."),
        False,
    ),
    "hosted.unavailable": (
        gettext_lazy("The issuer's copy at %(url)s could not be fetched."),
        True,
    ),
    "hosted.invalid": (gettext_lazy("The document at %(url)s is not this badge."), True),
    "hosted.id_invalid": (
        gettext_lazy(
            "The badge's own address is not a web address, so it cannot be checked with its issuer."
        ),
        True,
    ),
    "document.unavailable": (gettext_lazy("Could not fetch %(document)s (%(url)s)."), True),
    "document.invalid": (gettext_lazy("Could not read %(document)s (%(url)s)."), True),
    # issuer
    "issuer.verified": (
        gettext_lazy("It was signed with a key of the issuer %(issuer)s."),
        False,
    ),
    "issuer.wrong_key": (
        gettext_lazy("It was signed with a key of %(controller)s, not of the issuer %(issuer)s."),
        False,
    ),
    "issuer.key_revoked": (
        gettext_lazy("The issuer withdrew the key it was signed with on %(revoked)s."),
        False,
    ),
    "issuer.embedded_key": (
        gettext_lazy(
            "The key is carried inside the badge itself, so nothing ties it to the issuer."
        ),
        False,
    ),
    "issuer.not_checked": (
        gettext_lazy("Not checked, because there is no valid signature to tie to the issuer."),
        False,
    ),
    "issuer.ob2": (
        gettext_lazy("“%(badge)s”, issued by %(issuer_name)s (%(issuer)s)."),
        False,
    ),
    "issuer.ob2_warnings": (
        gettext_lazy(
            "“%(badge)s”, issued by %(issuer_name)s (%(issuer)s), but with warnings about "
            "the issuer's details."
        ),
        True,
    ),
    "issuer.badge_invalid": (
        gettext_lazy("The badge's description (BadgeClass) is incomplete or invalid."),
        True,
    ),
    "issuer.profile_invalid": (
        gettext_lazy("The issuer's profile is incomplete or invalid."),
        True,
    ),
    "issuer.profile_wrong_host": (
        gettext_lazy(
            "The issuer's profile fetched from %(url)s uses an identifier on another site "
            "(%(issuer)s)."
        ),
        False,
    ),
    "issuer.policy_unsupported": (
        gettext_lazy("The issuer's verification rules are of a kind that cannot be checked here."),
        True,
    ),
    "issuer.out_of_scope": (
        gettext_lazy(
            "The issuer does not vouch for badges published at this address (%(assertion)s)."
        ),
        True,
    ),
    # validity
    "validity.valid": (gettext_lazy("Valid from %(valid_from)s until %(valid_until)s."), False),
    "validity.no_expiry": (
        gettext_lazy("Valid from %(valid_from)s; it does not expire."),
        False,
    ),
    "validity.expired": (gettext_lazy("Expired on %(valid_until)s."), False),
    "validity.not_yet_valid": (
        gettext_lazy("Not valid yet: valid from %(valid_from)s."),
        False,
    ),
    "validity.expires_before_issued": (
        gettext_lazy(
            "Its expiry date (%(valid_until)s) is before its issue date (%(valid_from)s)."
        ),
        False,
    ),
    "validity.invalid_date": (gettext_lazy("Its dates cannot be read."), True),
    # status
    "status.not_revoked": (gettext_lazy("The issuer has not revoked it."), False),
    "status.revoked": (gettext_lazy("The issuer has revoked this badge."), False),
    "status.revoked_gone": (
        gettext_lazy("The issuer has revoked this badge: it no longer publishes it at %(url)s."),
        False,
    ),
    "status.suspended": (gettext_lazy("The issuer has suspended this badge."), False),
    "status.set": (gettext_lazy("The issuer's status list marks it (%(purpose)s)."), True),
    "status.untrusted": (
        gettext_lazy(
            "The issuer's status list cannot be trusted, so it is not known whether the badge "
            "was revoked."
        ),
        True,
    ),
    "status.invalid": (gettext_lazy("Its status entry cannot be read."), False),
    "status.list_invalid": (
        gettext_lazy("The issuer's revocation list at %(url)s cannot be used."),
        True,
    ),
    "status.unavailable": (
        gettext_lazy(
            "The issuer's status list could not be fetched, so it is not known whether the "
            "badge was revoked."
        ),
        True,
    ),
    "status.none": (
        gettext_lazy("It has no status entry, so its issuer cannot revoke it."),
        False,
    ),
    "status.no_list": (
        gettext_lazy("The issuer publishes no revocation list, so revocation cannot be checked."),
        False,
    ),
    "status.not_checked": (
        gettext_lazy("Revocation was not checked, because the issuer's copy could not be used."),
        True,
    ),
    # recipient
    "recipient.matched": (gettext_lazy("It was issued to %(email)s."), False),
    "recipient.mismatch": (gettext_lazy("It was not issued to %(email)s."), False),
    "recipient.none": (
        gettext_lazy("It names no recipient e-mail address to compare with."),
        False,
    ),
    "recipient.invalid": (gettext_lazy("Its recipient's identity is malformed."), False),
    "recipient.no_email": (
        gettext_lazy("Not checked: no e-mail address was given to compare with."),
        False,
    ),
    # endorsements
    "endorsements.verified": (
        ngettext_lazy(
            "Its endorsement checks out.", "All %(count)s endorsements check out.", "count"
        ),
        False,
    ),
    "endorsements.failed": (
        ngettext_lazy(
            "%(failed)s of %(count)s endorsement does not check out.",
            "%(failed)s of %(count)s endorsements do not check out.",
            "count",
        ),
        True,
    ),
    "endorsements.too_deep": (
        gettext_lazy("Endorsements nested too deeply were not checked."),
        False,
    ),
    "endorsements.none": (gettext_lazy("It carries no endorsements."), False),
    # a CLR's contents
    "inner_credentials.verified": (
        ngettext_lazy(
            "The badge inside checks out.", "All %(count)s badges inside check out.", "count"
        ),
        False,
    ),
    "inner_credentials.warnings": (
        ngettext_lazy(
            "The badge inside checks out, with warnings.",
            "All %(count)s badges inside check out, some with warnings.",
            "count",
        ),
        True,
    ),
    "inner_credentials.failed": (
        ngettext_lazy(
            "%(failed)s of the %(count)s badge inside does not check out.",
            "%(failed)s of the %(count)s badges inside do not check out.",
            "count",
        ),
        True,
    ),
    "inner_credentials.none": (gettext_lazy("The record carries no badges."), False),
    "associations.verified": (
        ngettext_lazy(
            "The link between its badges points to badges in the record.",
            "All %(count)s links between its badges point to badges in the record.",
            "count",
        ),
        False,
    ),
    "associations.problems": (
        gettext_lazy("Some links between its badges point to badges not in the record."),
        True,
    ),
    "associations.none": (gettext_lazy("The record links no badges to each other."), False),
}


# Codes whose sentence depends on more than filling in params.


def _format_ob2(params: Mapping[str, Any]) -> str:
    if params.get("verification") == "signed":
        return _("It is an Open Badges 2.0 badge signed by its issuer.")
    return _("It is an Open Badges 2.0 badge, checked where its issuer publishes it.")


def _schema_passed(params: Mapping[str, Any]) -> str:
    text = _("Its fields follow the Open Badges data rules (JSON Schema).")
    unchecked = params.get("unchecked") or []
    if unchecked:
        text += " " + ngettext_lazy(
            "%(count)s other set of rules is not known here and was not checked.",
            "%(count)s other sets of rules are not known here and were not checked.",
            "count",
        ) % {"count": len(unchecked)}
    return text


def _status_active(params: Mapping[str, Any]) -> str:
    purposes = set(params.get("purposes") or [])
    if purposes == {"revocation"}:
        return _("The issuer has not revoked it.")
    if purposes == {"suspension"}:
        return _("The issuer has not suspended it.")
    return _("The issuer has not revoked or suspended it.")


_SPECIAL: dict[str, tuple[Callable[[Mapping[str, Any]], str], bool]] = {
    "format.ob2": (_format_ob2, False),
    "schema.passed": (_schema_passed, False),
    "status.active": (_status_active, False),
}


def known_codes() -> frozenset[str]:
    """The codes :func:`explain_check` words itself (every other code shows the message)."""
    return frozenset(_WORDINGS) | frozenset(_SPECIAL)


def _sentence(code: str, params: Mapping[str, Any]) -> tuple[str, bool] | None:
    if code in _SPECIAL:
        wording, detail = _SPECIAL[code]
        text = wording(params)
    elif code in _WORDINGS:
        sentence, detail = _WORDINGS[code]
        text = str(sentence % _values(params))
    else:
        return None
    if params.get("reason"):
        # The issuer's own words, in whatever language the issuer wrote them.
        text += " " + _("Reason given: %(reason)s") % {"reason": params["reason"]}
    return text, detail


def explain_check(check: Check | Mapping[str, Any]) -> CheckText:
    """``check`` (a :class:`Check`, or its ``to_dict()`` as stored) in the active language.

    Unknown codes, and params that do not fit the code (a stored report from another
    version), fall back to the English message.
    """
    if isinstance(check, Mapping):
        code = check.get("code") or ""
        params = check.get("params") or {}
        message = str(check.get("message") or "")
    else:
        # Reports cached before checks had codes lack the attributes altogether.
        code = getattr(check, "code", "") or ""
        params = getattr(check, "params", None) or {}
        message = check.message
    if not isinstance(params, Mapping):
        return CheckText(message)
    try:
        found = _sentence(str(code), params)
    except (KeyError, TypeError, ValueError):
        return CheckText(message)
    if found is None:
        return CheckText(message)
    text, show_detail = found
    return CheckText(text, message if show_detail and message != text else "")
