"""Issuing and changing awards: build → sign → store → status entry → notify.

Each service runs in one transaction and writes one audit event. The signed credential is
stored as the exact JSON text that was signed and never changes afterwards; revocation and
suspension change only the organization's status list, which is re-signed at once.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from baeji.achievements.models import Achievement
from baeji.audit.services import audit_record
from baeji.awards.models import Award, StatusList
from baeji.core import links
from baeji.core.ids import new_public_id
from baeji.credentials import model
from baeji.credentials import status as bitstring
from baeji.credentials.suites import eddsa_rdfc_2022
from baeji.keystore import selectors as keystore
from baeji.keystore.services import signing_key_create

STATUS_LIST_LENGTH = 131072


class AwardError(Exception):
    """A change an award cannot undergo in its current state (message for people)."""


def dump(document: dict) -> str:
    """The one JSON serialisation of stored credentials (UTF-8 text, Korean kept readable)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def issuer_profile(organization) -> dict:
    """The issuer ``Profile`` of an organization, with its authority as ``parentOrg``."""
    parent = organization.parent
    return model.profile(
        id=keystore.did_for_organization(organization),
        name=organization.name,
        url=links.issuer_url(organization),
        email=organization.email or None,
        description=organization.description or None,
        parent_org=model.profile(
            id=keystore.did_for_organization(parent),
            name=parent.name,
            url=links.issuer_url(parent),
        )
        if parent
        else None,
    )


def _sign(organization, document: dict) -> dict:
    key = keystore.active_key(organization) or signing_key_create(organization=organization)
    return eddsa_rdfc_2022.sign(
        document,
        private_key=keystore.private_key_of(key),
        verification_method=keystore.verification_method_id(key),
    )


def _publish(status_list: StatusList) -> None:
    """Re-sign the status list credential with the list's current bits."""
    bits = bitstring.StatusList.decode(status_list.encoded_list)
    unsigned = bitstring.status_list_credential(
        url=links.status_list_url(status_list),
        issuer=keystore.did_for_organization(status_list.organization),
        purpose=status_list.purpose,
        status_list=bits,
        valid_from=model.xsd_datetime(model.now()),
    )
    status_list.credential_json = dump(_sign(status_list.organization, unsigned))
    status_list.save(update_fields=["credential_json", "encoded_list", "updated_at"])


def _status_list_for(organization) -> StatusList:
    """The organization's current revocation list, locked; created and published if missing."""
    current = (
        StatusList.objects.select_for_update()
        .filter(organization=organization, purpose="revocation")
        .order_by("-created_at", "-id")
        .first()
    )
    if current is not None and current.awards.count() < current.length:
        return current
    status_list = StatusList(
        organization=organization,
        purpose="revocation",
        length=STATUS_LIST_LENGTH,
        encoded_list=bitstring.StatusList(STATUS_LIST_LENGTH).encode(),
    )
    status_list.save()
    _publish(status_list)
    return status_list


def _results(version, award_url: str, value: str | None) -> list[dict]:
    if not value:
        return []
    described = version.result_descriptions or []
    ref = f"{links.badge_url(version)}#result-1" if described else None
    return [model.result(result_description=ref, value=value)]


def _result_descriptions(version) -> list[dict]:
    return [
        model.result_description(
            id=f"{links.badge_url(version)}#result-{n}",
            name=item["name"],
            result_type=item.get("result_type", "Result"),
            allowed_values=item.get("allowed_values") or None,
            required_level=item.get("required_level") or None,
            required_value=item.get("required_value") or None,
        )
        for n, item in enumerate(version.result_descriptions or [], start=1)
    ]


def achievement_document(version) -> dict:
    """The OB 3.0 ``Achievement`` of a badge class version."""
    alignments = [
        model.alignment(
            target_name=a["target_name"],
            target_url=a["target_url"],
            target_type=a.get("target_type") or None,
            target_code=a.get("target_code") or None,
            target_framework=a.get("target_framework") or None,
            target_description=a.get("target_description") or None,
        )
        for a in version.alignments or []
    ]
    return model.achievement(
        id=links.badge_url(version),
        name=version.name,
        description=version.description,
        criteria_narrative=version.criteria_md or version.description,
        criteria_id=links.badge_url(version),
        achievement_type=version.achievement_type or None,
        image=model.image(links.badge_image_url(version), caption=version.name),
        tags=version.tags or (),
        alignments=alignments,
        result_descriptions=_result_descriptions(version),
        in_language=version.language or None,
        creator=issuer_profile(version.achievement.organization),
    )


@transaction.atomic
def award_issue(
    *,
    achievement,
    recipient_email: str,
    recipient_name: str,
    issued_by=None,
    evidence_url: str | None = None,
    narrative: str | None = None,
    result: str | None = None,
    issued_at: datetime | None = None,
    notify: bool = True,
) -> Award:
    """Issue ``achievement`` to a learner and queue the award e-mail (after commit).

    ``issued_at`` backdates the credential (imports of past awards, demo data); the validity
    period of the badge class counts from it.
    """
    # Re-read: the caller's object may predate an edit, and the award must carry the version
    # that is current now.
    achievement = Achievement.objects.select_related(
        "organization", "organization__parent", "current_version"
    ).get(pk=achievement.pk)
    version = achievement.current_version
    organization = achievement.organization
    if achievement.archived:
        raise AwardError("This badge is archived and can no longer be awarded.")
    recipient_email = recipient_email.strip().lower()
    issued = (issued_at or timezone.now()).replace(microsecond=0)
    valid_until = issued + timedelta(days=version.valid_days) if version.valid_days else None

    status_list = _status_list_for(organization)
    used = set(status_list.awards.values_list("status_index", flat=True))
    index = bitstring.allocate_index(status_list.length, lambda i: i in used)

    award = Award(
        public_id=new_public_id(),
        organization=organization,
        achievement=achievement,
        version=version,
        recipient_email=recipient_email,
        recipient_name=recipient_name.strip(),
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
        issued_at=issued,
        valid_until=valid_until,
        evidence_url=evidence_url or "",
        narrative=narrative or "",
        result=result or "",
        language=version.language or "ko",
        status_list=status_list,
        status_index=index,
    )
    award_url = links.credential_url(award)
    evidence = []
    if evidence_url or narrative:
        evidence.append(model.evidence(id=evidence_url or None, narrative=narrative or None))
    unsigned = model.open_badge_credential(
        id=award_url,
        issuer=issuer_profile(organization),
        achievement=achievement_document(version),
        valid_from=issued,
        valid_until=valid_until,
        awarded_date=issued,
        name=version.name,
        description=version.description,
        identifiers=[model.identity_object(email=recipient_email)],
        results=_results(version, award_url, result),
        evidence=evidence,
        credential_status=bitstring.status_entry(
            list_credential_url=links.status_list_url(status_list),
            index=index,
            purpose=status_list.purpose,
        ),
        image=model.image(links.badge_image_url(version), caption=version.name),
    )
    award.credential_json = dump(_sign(organization, unsigned))
    award.save()
    audit_record(
        action="award.issue",
        actor=issued_by,
        organization=organization,
        target=award,
        data={
            "achievement": achievement.public_id,
            "version": version.number,
            "recipient": recipient_email,
        },
    )
    if notify:
        from baeji.awards.tasks import send_award_email

        transaction.on_commit(partial(send_award_email.enqueue, award.pk))
    return award


def _set_status(
    award: Award, *, status: str, bit: bool, reason: str, by, action: str, only_from: str = ""
) -> Award:
    award = Award.objects.select_for_update().get(pk=award.pk)
    status_list = StatusList.objects.select_for_update().get(pk=award.status_list_id)
    if only_from and award.status != only_from:
        raise AwardError("Only a suspended award can be reinstated.")
    if award.status == Award.Status.REVOKED:
        raise AwardError("This award has been revoked; revocation cannot be undone.")
    if award.status == status:
        raise AwardError("The award already has this status.")
    bits = bitstring.StatusList.decode(status_list.encoded_list)
    bits.set(award.status_index, bit)
    status_list.encoded_list = bits.encode()
    _publish(status_list)
    award.status = status
    award.status_reason = reason
    award.status_changed_at = timezone.now()
    award.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    audit_record(
        action=action,
        actor=by,
        organization=award.organization,
        target=award,
        data={"reason": reason},
    )
    return award


@transaction.atomic
def award_revoke(*, award: Award, reason: str, by=None) -> Award:
    """Revoke for good: the status bit is set and the status list re-signed at once."""
    return _set_status(
        award, status=Award.Status.REVOKED, bit=True, reason=reason, by=by, action="award.revoke"
    )


@transaction.atomic
def award_suspend(*, award: Award, reason: str, by=None) -> Award:
    """Suspend: the credential's status bit is set (verifiers see it as not valid) until
    reinstated. OB 3.0 allows one credentialStatus, so the revocation list carries both."""
    return _set_status(
        award, status=Award.Status.SUSPENDED, bit=True, reason=reason, by=by, action="award.suspend"
    )


@transaction.atomic
def award_reinstate(*, award: Award, reason: str = "", by=None) -> Award:
    """Lift a suspension: clear the bit and re-sign the status list."""
    return _set_status(
        award,
        status=Award.Status.ACTIVE,
        bit=False,
        reason=reason,
        by=by,
        action="award.reinstate",
        only_from=Award.Status.SUSPENDED,
    )


@transaction.atomic
def award_claim(*, award: Award, user) -> Award:
    """Attach an award to the learner account that proved it owns the recipient address."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.recipient_id == user.pk:
        return award
    award.recipient = user
    award.claimed_at = timezone.now()
    award.save(update_fields=["recipient", "claimed_at", "updated_at"])
    audit_record(action="award.claim", actor=user, organization=award.organization, target=award)
    return award


@transaction.atomic
def award_notify(*, award_id: int) -> bool:
    """Send the award e-mail once. Safe to run twice: a sent e-mail is recorded and skipped."""
    from baeji.emails.messages import send_award_email

    award = (
        Award.objects.select_for_update()
        .select_related("organization", "version", "achievement")
        .filter(pk=award_id)
        .first()
    )
    if award is None or award.email_sent_at or award.status == Award.Status.REVOKED:
        return False
    send_award_email(award)
    award.email_sent_at = timezone.now()
    award.save(update_fields=["email_sent_at", "updated_at"])
    audit_record(action="award.email", organization=award.organization, target=award)
    return True
