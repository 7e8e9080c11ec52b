"""Writing ages, guardian requests and consent. One transaction, one audit event each."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.audit.middleware import current_ip
from baeji.audit.services import audit_record
from baeji.guardians.models import ConsentRecord, Guardianship, LearnerAge
from baeji.guardians.selectors import is_under_consent_age

#: The version of the consent text (templates guardians/_consent_terms.*). Change it whenever
#: the text changes: every consent record names the version the guardian agreed to.
CONSENT_TEXT_VERSION = "2026-11-v1"
EARLIEST_BIRTH_YEAR = 1900


class GuardianError(Exception):
    """A request the guardian flow cannot accept (message for people)."""


def _own_addresses(user) -> set[str]:
    from allauth.account.models import EmailAddress

    found = {
        a.lower() for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    if user.email:
        found.add(user.email.lower())
    return found


@transaction.atomic
def learner_age_set(*, user, birth_year: int) -> LearnerAge:
    """Record ``user``'s birth year once; a later, different answer is refused.

    Letting a learner change it would let a child step around the guardian's consent, so a
    correction goes through the operator.
    """
    this_year = timezone.localdate().year
    if not EARLIEST_BIRTH_YEAR <= int(birth_year) <= this_year:
        raise GuardianError(
            _("Enter a birth year between %(first)s and %(last)s.")
            % {"first": EARLIEST_BIRTH_YEAR, "last": this_year}
        )
    existing = LearnerAge.objects.select_for_update().filter(user=user).first()
    if existing is not None:
        if existing.birth_year != int(birth_year):
            raise GuardianError(_("Your birth year is already recorded; ask us to correct it."))
        return existing
    profile = LearnerAge.objects.create(user=user, birth_year=int(birth_year))
    audit_record(
        action="learner.birth_year",
        actor=user,
        target=profile,
        data={"under_14": is_under_consent_age(profile.birth_year)},
    )
    return profile


@transaction.atomic
def guardian_request(*, child, guardian_email: str, language: str = "ko") -> Guardianship:
    """Ask ``guardian_email`` for consent: a guardianship waiting for them and the e-mail.

    Asking again (the same address) sends a fresh link; the old link stops working.
    """
    from baeji.guardians.messages import send_guardian_consent_email

    email = (guardian_email or "").strip().lower()
    if "@" not in email:
        raise GuardianError(_("Enter your guardian's e-mail address."))
    if email in _own_addresses(child):
        raise GuardianError(_("Enter your guardian's address, not one of your own."))
    if not LearnerAge.objects.filter(user=child).exists():
        raise GuardianError(_("Tell us your birth year first."))
    link = (
        Guardianship.objects.select_for_update().filter(child=child, guardian_email=email).first()
    )
    if link is not None and link.status == Guardianship.Status.CONSENTED:
        raise GuardianError(_("This guardian has already given consent."))
    if link is None:
        link = Guardianship(child=child, guardian_email=email)
    else:
        from baeji.guardians.models import new_consent_token

        link.token = new_consent_token()
    link.requested_at = timezone.now()
    link.language = language if language in ("ko", "en") else "ko"
    # A refused or withdrawn request may be asked again; the guardian answers anew.
    link.status = Guardianship.Status.PENDING
    link.save()
    audit_record(action="guardian.request", actor=child, target=link, data={"guardian": email})
    # Queued with the request (a delivery, sent after commit and retried on failure).
    send_guardian_consent_email(link)
    return link


def _record(link: Guardianship, action: str, actor) -> ConsentRecord:
    return ConsentRecord.objects.create(
        guardianship=link,
        action=action,
        actor=actor,
        guardian_email=link.guardian_email,
        text_version=CONSENT_TEXT_VERSION,
        ip=current_ip(),
    )


def _answer(link: Guardianship, guardian, *, status: str, action: str) -> Guardianship:
    link = Guardianship.objects.select_for_update().get(pk=link.pk)
    if guardian.pk == link.child_id:
        raise GuardianError(_("A learner cannot answer for their own guardian."))
    if link.guardian_id not in (None, guardian.pk):
        raise GuardianError(_("Another account has already answered for this guardian."))
    link.guardian = guardian
    link.status = status
    link.save(update_fields=["guardian", "status", "updated_at"])
    record = _record(link, action, guardian)
    audit_record(
        action=f"guardian.consent.{action}",
        actor=guardian,
        target=link,
        data={"text_version": record.text_version, "guardian": link.guardian_email},
    )
    return link


@transaction.atomic
def guardian_consent_grant(*, guardianship: Guardianship, guardian) -> Guardianship:
    """The guardian consents (again): the child's sharing is allowed from now on."""
    if guardianship.status == Guardianship.Status.CONSENTED:
        raise GuardianError(_("Consent has already been given."))
    return _answer(
        guardianship,
        guardian,
        status=Guardianship.Status.CONSENTED,
        action=ConsentRecord.Action.GRANTED,
    )


@transaction.atomic
def guardian_consent_decline(*, guardianship: Guardianship, guardian) -> Guardianship:
    """The guardian refuses consent: nothing of the child is shared."""
    if guardianship.status not in (Guardianship.Status.PENDING,):
        raise GuardianError(_("This request has already been answered."))
    return _answer(
        guardianship,
        guardian,
        status=Guardianship.Status.DECLINED,
        action=ConsentRecord.Action.DECLINED,
    )


@transaction.atomic
def guardian_consent_withdraw(*, guardianship: Guardianship, guardian) -> Guardianship:
    """The guardian withdraws consent: public sharing stops at once."""
    if guardianship.status != Guardianship.Status.CONSENTED:
        raise GuardianError(_("There is no consent to withdraw."))
    return _answer(
        guardianship,
        guardian,
        status=Guardianship.Status.WITHDRAWN,
        action=ConsentRecord.Action.WITHDRAWN,
    )


@transaction.atomic
def guardian_award_emails_set(*, guardianship: Guardianship, enabled: bool, by) -> Guardianship:
    """The family's choice whether the guardian gets copies of the child's award e-mails."""
    link = Guardianship.objects.select_for_update().get(pk=guardianship.pk)
    link.award_emails = bool(enabled)
    link.save(update_fields=["award_emails", "updated_at"])
    audit_record(
        action="guardian.award_emails", actor=by, target=link, data={"enabled": link.award_emails}
    )
    return link
