"""Issuing and changing awards: build → sign → store → status entry → notify.

Each service runs in one transaction and writes one audit event. The signed credential is
stored as the exact JSON text that was signed and never changes afterwards; revocation and
suspension change only the organization's status list, which is re-signed at once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from baeji.achievements.models import Achievement
from baeji.audit.services import audit_record
from baeji.awards.models import Award, PendingAward, StatusList, normalize_claim_code
from baeji.core import links
from baeji.core.ids import new_public_id
from baeji.core.queue import enqueue_with_transaction
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


def _new_status_list(organization) -> StatusList:
    status_list = StatusList(
        organization=organization,
        purpose="revocation",
        length=STATUS_LIST_LENGTH,
        encoded_list=bitstring.StatusList(STATUS_LIST_LENGTH).encode(),
    )
    status_list.save()
    _publish(status_list)
    return status_list


def _permutation(seed: str, length: int) -> list[int]:
    """The order in which a status list hands out its positions (cached per process)."""
    key = (seed, length)
    order = _PERMUTATIONS.get(key)
    if order is None:
        order = list(range(length))
        random.Random(seed).shuffle(order)  # noqa: S311 - the seed is the secret
        _PERMUTATIONS.clear()  # one list is active per organization at a time
        _PERMUTATIONS[key] = order
    return order


_PERMUTATIONS: dict[tuple[str, int], list[int]] = {}


def _allocate(organization, count: int) -> tuple[StatusList, list[int]]:
    """Reserve ``count`` status positions of the organization's current revocation list.

    Must run inside a transaction: the list row is locked while its counter moves. Positions
    taken by older awards (allocated at random before lists had a counter) are skipped.
    A crash after this commits only leaves positions unused, which is harmless.
    """
    if count > STATUS_LIST_LENGTH:
        raise ValueError(f"cannot allocate {count} positions in one list")
    # Lock with a write that changes nothing rather than SELECT ... FOR UPDATE: on PostgreSQL
    # both lock the rows, but on SQLite (which ignores FOR UPDATE) a transaction that reads
    # first and writes later fails at once with "database is locked" when another one
    # does the same, while a write first simply waits for the other to commit.
    lists = StatusList.objects.filter(organization=organization, purpose="revocation")
    lists.update(allocated=F("allocated"))
    status_list = lists.order_by("-created_at", "-id").first()
    if status_list is None or status_list.allocated + count > status_list.length:
        status_list = _new_status_list(organization)
    order = _permutation(status_list.seed, status_list.length)
    indexes: list[int] = []
    position = status_list.allocated
    while len(indexes) < count:
        if position >= status_list.length:
            status_list.allocated = position
            status_list.save(update_fields=["allocated", "updated_at"])
            return _allocate(organization, count)
        wanted = count - len(indexes)
        candidates = order[position : position + wanted]
        position += len(candidates)
        taken = set(
            Award.objects.filter(status_list=status_list, status_index__in=candidates).values_list(
                "status_index", flat=True
            )
        )
        indexes.extend(i for i in candidates if i not in taken)
    status_list.allocated = position
    status_list.save(update_fields=["allocated", "updated_at"])
    return status_list, indexes


def _results(version, value: str | None) -> list[dict]:
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


# Checked credential templates (JSON text) by what they depend on; see _Signer.sign_award.
# Bounded: a process that issues many badge versions starts over rather than grow.
_TEMPLATES: dict[tuple, str] = {}
_TEMPLATES_MAX = 512


class _Signer:
    """Builds and signs the credentials of one issuing organization, reusing what repeats.

    The issuer profile, the achievement documents and the decrypted key are the same for
    every credential of a batch, so they are computed once (this is what makes bulk issuing
    cost about one signature per credential).
    """

    def __init__(self, organization) -> None:
        self.organization = organization
        self.profile = issuer_profile(organization)
        self.profile_key = json.dumps(self.profile, sort_keys=True)
        key = keystore.active_key(organization) or signing_key_create(organization=organization)
        self.private_key = keystore.private_key_of(key)
        self.method = keystore.verification_method_id(key)
        self.achievements: dict[int, dict] = {}
        self.creators: dict[int, str] = {}

    def achievement(self, version) -> dict:
        """The (cached) OB 3.0 ``Achievement`` document of ``version``."""
        if version.pk not in self.achievements:
            self.achievements[version.pk] = achievement_document(version)
        return self.achievements[version.pk]

    def _template_key(self, award: Award) -> tuple:
        """What a template depends on, besides the award's own values.

        A version that was never awarded may still be edited in place, so its last change
        time is part of the key; so are the issuer's and the badge creator's profiles as
        they are now (an organization renamed since gets new templates).
        """
        version = award.version
        creator = version.achievement.organization
        if creator.pk not in self.creators:
            self.creators[creator.pk] = json.dumps(issuer_profile(creator), sort_keys=True)
        return (
            self.profile_key,
            self.creators[creator.pk],
            version.pk,
            version.updated_at,
            award.valid_until is not None,
            bool(award.result),
            bool(award.evidence_url),
            bool(award.narrative),
        )

    def _build(self, award: Award, award_url: str) -> dict:
        version = award.version
        evidence = []
        if award.evidence_url or award.narrative:
            evidence.append(
                model.evidence(id=award.evidence_url or None, narrative=award.narrative or None)
            )
        return model.open_badge_credential(
            id=award_url,
            issuer=self.profile,
            achievement=self.achievement(version),
            valid_from=award.issued_at,
            valid_until=award.valid_until,
            awarded_date=award.issued_at,
            name=version.name,
            description=version.description,
            identifiers=[model.identity_object(email=award.recipient_email)],
            results=_results(version, award.result),
            evidence=evidence,
            credential_status=bitstring.status_entry(
                list_credential_url=links.status_list_url(award.status_list),
                index=award.status_index,
                purpose=award.status_list.purpose,
            ),
            image=model.image(links.badge_image_url(version), caption=version.name),
        )

    def _from_template(self, template: str, award: Award, award_url: str) -> dict:
        """A credential of the same shape as ``template`` with this award's own values.

        Only the values that differ between awards of one badge version are replaced, each
        with the same model helper the builder uses; the shape (which optional members are
        present) is part of the cache key, so the result has exactly the builder's members.
        """
        document = json.loads(template)
        document["id"] = award_url
        document["validFrom"] = model.xsd_datetime(award.issued_at)
        document["awardedDate"] = model.xsd_datetime(award.issued_at)
        if award.valid_until:
            document["validUntil"] = model.xsd_datetime(award.valid_until)
        subject = document["credentialSubject"]
        subject["identifier"] = [model.identity_object(email=award.recipient_email)]
        if award.result:
            subject["result"] = _results(award.version, award.result)
        if award.evidence_url or award.narrative:
            document["evidence"] = [
                model.evidence(id=award.evidence_url or None, narrative=award.narrative or None)
            ]
        document["credentialStatus"] = bitstring.status_entry(
            list_credential_url=links.status_list_url(award.status_list),
            index=award.status_index,
            purpose=award.status_list.purpose,
        )
        return document

    def sign_award(self, award: Award) -> str:
        """Build and sign ``award``'s credential; returns the JSON text to store.

        The first credential of each shape (badge version, with or without expiry, result,
        evidence URL, narrative) goes through the model builder and its JSON Schema check;
        later ones of the same shape reuse that checked document with their own values,
        because the schema check costs several times the signature. The checked templates
        are kept per process (see :data:`_TEMPLATES`), so a job's chunks share them.
        """
        award_url = links.credential_url(award)
        key = self._template_key(award)
        template = _TEMPLATES.get(key)
        if template is None:
            unsigned = self._build(award, award_url)
            if len(_TEMPLATES) >= _TEMPLATES_MAX:
                _TEMPLATES.clear()
            # Kept as text: loading it is the cheapest deep copy.
            _TEMPLATES[key] = json.dumps(unsigned)
        else:
            unsigned = self._from_template(template, award, award_url)
        signed = eddsa_rdfc_2022.sign(
            unsigned, private_key=self.private_key, verification_method=self.method
        )
        return dump(signed)


# Issuing needs the badge image's address, never its bytes.
_IMAGES = ("current_version__image_png", "current_version__image_svg")


def _issuable(achievement, organization):
    """Re-read ``achievement`` with what issuing needs; refuse archived ones."""
    # Re-read: the caller's object may predate an edit, and the award must carry the version
    # that is current now.
    achievement = (
        Achievement.objects.select_related(
            "organization", "organization__parent", "current_version"
        )
        .defer(*_IMAGES)
        .get(pk=achievement.pk)
    )
    if achievement.archived:
        raise AwardError("This badge is archived and can no longer be awarded.")
    if organization is not None and organization.pk != achievement.organization_id:
        # An institution issues an achievement its authority assigned to it: the credential's
        # issuer is the institution, the achievement's creator stays the authority.
        organization = type(organization).objects.select_related("parent").get(pk=organization.pk)
    else:
        organization = achievement.organization
    return achievement, organization


def _issuable_many(ids: set[int], organization):
    """:func:`_issuable` for several achievements at once, in one query.

    Returns ``({pk: achievement}, organization)``; each achievement's current version knows
    its achievement, so building credentials reads nothing more.
    """
    found = {
        achievement.pk: achievement
        for achievement in Achievement.objects.select_related(
            "organization", "organization__parent", "current_version"
        )
        .defer(*_IMAGES)
        .filter(pk__in=ids)
    }
    missing = ids - set(found)
    if missing:
        raise Achievement.DoesNotExist(f"no achievements {sorted(missing)}")
    for achievement in found.values():
        if achievement.archived:
            raise AwardError("This badge is archived and can no longer be awarded.")
        achievement.current_version.achievement = achievement
    if not found:
        return found, organization
    first = next(iter(found.values()))
    if organization is not None and any(
        organization.pk != a.organization_id for a in found.values()
    ):
        organization = type(organization).objects.select_related("parent").get(pk=organization.pk)
    else:
        organization = first.organization
    return found, organization


def _new_award(
    *,
    organization,
    achievement,
    version,
    recipient_email: str,
    recipient_name: str,
    issued_by,
    issued_at: datetime | None,
    evidence_url: str | None,
    narrative: str | None,
    result: str | None,
    row_key: str | None,
    learner_id: str | None = None,
) -> Award:
    issued = (issued_at or timezone.now()).replace(microsecond=0)
    valid_until = issued + timedelta(days=version.valid_days) if version.valid_days else None
    return Award(
        public_id=new_public_id(),
        organization=organization,
        achievement=achievement,
        version=version,
        recipient_email=recipient_email.strip().lower(),
        recipient_name=recipient_name.strip(),
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
        issued_at=issued,
        valid_until=valid_until,
        evidence_url=evidence_url or "",
        narrative=narrative or "",
        result=result or "",
        language=version.language or "ko",
        row_key=row_key or None,
        learner_id=(learner_id or "")[:100],
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
    organization=None,
    row_key: str | None = None,
) -> Award:
    """Issue ``achievement`` to a learner and queue the award e-mail (after commit).

    ``issued_at`` backdates the credential (imports of past awards, demo data); the validity
    period of the badge class counts from it. ``organization`` is the issuer when it is not
    the achievement's owner (an institution issuing what its authority assigned to it; the
    caller checks the assignment). ``row_key`` makes the call idempotent at the database: a
    second award with the same key in the same organization raises ``IntegrityError``.
    """
    achievement, organization = _issuable(achievement, organization)
    version = achievement.current_version
    award = _new_award(
        organization=organization,
        achievement=achievement,
        version=version,
        recipient_email=recipient_email,
        recipient_name=recipient_name,
        issued_by=issued_by,
        issued_at=issued_at,
        evidence_url=evidence_url,
        narrative=narrative,
        result=result,
        row_key=row_key,
    )
    status_list, (index,) = _allocate(organization, 1)
    award.status_list, award.status_index = status_list, index
    award.credential_json = _Signer(organization).sign_award(award)
    award.save()
    audit_record(
        action="award.issue",
        actor=issued_by,
        organization=organization,
        target=award,
        data={
            "achievement": achievement.public_id,
            "version": version.number,
            "recipient": award.recipient_email,
        },
    )
    if notify:
        from baeji.awards.tasks import send_award_email

        # Queued with the award: a process that dies after the commit cannot lose the e-mail.
        enqueue_with_transaction(send_award_email, award.pk)
    return award


@dataclass(frozen=True)
class IssueItem:
    """One award of a batch: without ``recipient_email`` it becomes a pending award."""

    achievement: object
    recipient_name: str
    recipient_email: str | None = None
    issued_at: datetime | None = None
    evidence_url: str | None = None
    narrative: str | None = None
    result: str | None = None
    learner_id: str | None = None
    row_key: str | None = None


def award_issue_many(
    *,
    organization,
    items: Sequence[IssueItem],
    issued_by=None,
    claim: Callable[[], bool] | None = None,
    record: Callable[[list[Award], list[PendingAward]], None] | None = None,
    on_commit: Callable[[list[Award], list[PendingAward]], None] | None = None,
) -> tuple[list[Award] | None, list[PendingAward] | None]:
    """Issue a batch (a bulk-issuance chunk) in one transaction, with one audit event.

    Items with an e-mail are signed and stored as awards; items without one become pending
    awards with claim codes (signed when claimed). Status positions are reserved first in
    a short transaction of their own, so parallel workers only wait for each other there; if
    the process dies afterwards the positions simply stay unused. Everything else (bulk
    inserts, the audit event) commits together or not at all; a ``row_key`` already used in
    the organization makes the whole batch fail with ``IntegrityError`` (callers re-check and
    retry without the duplicates). The caller has checked the right to issue every
    achievement.

    Hooks for job runners: ``claim()`` runs first inside the storing transaction (make it a
    write, e.g. flipping a chunk to done); if it returns False nothing is stored and
    ``(None, None)`` is returned. ``record(awards, pending)`` runs inside the same transaction
    after the inserts; ``on_commit(awards, pending)`` after commit (e.g. to queue e-mails).
    """
    achievements, organization = _issuable_many(
        {item.achievement.pk for item in items}, organization
    )
    awards: list[Award] = []
    pending: list[PendingAward] = []
    for item in items:
        achievement = achievements[item.achievement.pk]
        version = achievement.current_version
        if item.recipient_email:
            awards.append(
                _new_award(
                    organization=organization,
                    achievement=achievement,
                    version=version,
                    recipient_email=item.recipient_email,
                    recipient_name=item.recipient_name,
                    issued_by=issued_by,
                    issued_at=item.issued_at,
                    evidence_url=item.evidence_url,
                    narrative=item.narrative,
                    result=item.result,
                    row_key=item.row_key,
                    learner_id=item.learner_id,
                )
            )
        else:
            pending.append(
                _new_pending(
                    organization=organization,
                    achievement=achievement,
                    recipient_name=item.recipient_name,
                    learner_id=item.learner_id,
                    issued_by=issued_by,
                    issued_at=item.issued_at,
                    evidence_url=item.evidence_url,
                    narrative=item.narrative,
                    result=item.result,
                    row_key=item.row_key,
                )
            )
    if awards:
        with transaction.atomic():
            status_list, indexes = _allocate(organization, len(awards))
        signer = _Signer(organization)
        for award, index in zip(awards, indexes, strict=True):
            award.status_list, award.status_index = status_list, index
            award.credential_json = signer.sign_award(award)
    with transaction.atomic():
        if claim is not None and not claim():
            return None, None
        Award.objects.bulk_create(awards, batch_size=500)
        PendingAward.objects.bulk_create(pending, batch_size=500)
        if record is not None:
            record(awards, pending)
        audit_record(
            action="award.issue_many",
            actor=issued_by,
            organization=organization,
            data={
                "awards": len(awards),
                "pending": len(pending),
                "achievements": sorted(a.public_id for a in achievements.values()),
            },
        )
        if on_commit is not None:
            transaction.on_commit(partial(on_commit, awards, pending))
    return awards, pending


def _new_pending(
    *,
    organization,
    achievement,
    recipient_name: str,
    learner_id: str | None,
    issued_by,
    issued_at: datetime | None,
    evidence_url: str | None,
    narrative: str | None,
    result: str | None,
    row_key: str | None,
) -> PendingAward:
    return PendingAward(
        public_id=new_public_id(),
        organization=organization,
        achievement=achievement,
        version=achievement.current_version,
        recipient_name=recipient_name.strip(),
        learner_id=learner_id or "",
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
        issued_at=(issued_at or timezone.now()).replace(microsecond=0),
        evidence_url=evidence_url or "",
        narrative=narrative or "",
        result=result or "",
        row_key=row_key or None,
    )


@transaction.atomic
def award_issue_pending(
    *,
    achievement,
    recipient_name: str,
    organization=None,
    learner_id: str | None = None,
    issued_by=None,
    evidence_url: str | None = None,
    narrative: str | None = None,
    result: str | None = None,
    issued_at: datetime | None = None,
    row_key: str | None = None,
) -> PendingAward:
    """Create a pending award with a fresh claim code; nothing is signed until it is claimed.

    ``organization`` is the issuing institution when it is not the achievement's owner (see
    :func:`award_issue`); ``row_key`` is unique per organization in the database.
    """
    achievement, organization = _issuable(achievement, organization)
    pending = _new_pending(
        organization=organization,
        achievement=achievement,
        recipient_name=recipient_name,
        learner_id=learner_id,
        issued_by=issued_by,
        issued_at=issued_at,
        evidence_url=evidence_url,
        narrative=narrative,
        result=result,
        row_key=row_key,
    )
    pending.save()
    audit_record(
        action="award.issue_pending",
        actor=issued_by,
        organization=organization,
        target=pending,
        data={"achievement": achievement.public_id, "version": pending.version.number},
    )
    return pending


@transaction.atomic
def award_claim_pending(*, code: str, email: str, name: str | None = None, user=None) -> Award:
    """Redeem a claim code: sign the credential for ``email`` now and return the award.

    The version and details fixed when the pending award was created are used; ``name``
    (when given) replaces the name from the spreadsheet, as learners know their own name
    best. The award is attached to ``user`` when given. A code that is unknown or already
    used raises :class:`AwardError`; the check and the signing happen under a row lock, so
    a code can never be redeemed twice.
    """
    normalized = normalize_claim_code(code)
    pending = (
        PendingAward.objects.select_for_update(of=("self",))
        .select_related("organization", "organization__parent", "version", "achievement")
        .filter(claim_code=normalized)
        .first()
    )
    if pending is None:
        raise AwardError("This claim code is not valid. Check it and try again.")
    if pending.award_id is not None:
        raise AwardError("This claim code has already been used.")
    if pending.achievement.archived:
        raise AwardError("This badge is archived and can no longer be awarded.")
    email = email.strip().lower()
    if not email:
        raise AwardError("An e-mail address is needed to receive the badge.")
    award = _new_award(
        organization=pending.organization,
        achievement=pending.achievement,
        version=pending.version,
        recipient_email=email,
        recipient_name=(name or "").strip() or pending.recipient_name,
        issued_by=pending.issued_by,
        issued_at=pending.issued_at,
        evidence_url=pending.evidence_url,
        narrative=pending.narrative,
        result=pending.result,
        row_key=None,
        learner_id=pending.learner_id,
    )
    status_list, (index,) = _allocate(pending.organization, 1)
    award.status_list, award.status_index = status_list, index
    award.credential_json = _Signer(pending.organization).sign_award(award)
    now = timezone.now()
    if user is not None and getattr(user, "is_authenticated", False):
        award.recipient = user
        award.claimed_at = now
    award.save()
    pending.award = award
    pending.claimed_at = now
    pending.save(update_fields=["award", "claimed_at", "updated_at"])
    audit_record(
        action="award.claim_pending",
        actor=user,
        organization=pending.organization,
        target=award,
        data={"pending": pending.public_id, "recipient": email},
    )
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
    from baeji.guardians.messages import notify_guardians_of_award

    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("organization", "version", "achievement")
        .filter(pk=award_id)
        .first()
    )
    if award is None or award.email_sent_at or award.status == Award.Status.REVOKED:
        return False
    send_award_email(award)
    # Families who asked for it get a copy for their child (without the claim link).
    notify_guardians_of_award(award)
    award.email_sent_at = timezone.now()
    award.save(update_fields=["email_sent_at", "updated_at"])
    audit_record(action="award.email", organization=award.organization, target=award)
    return True
