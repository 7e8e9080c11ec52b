"""The demo outbox (only when BAEJI_DEV_OUTBOX is on), tracked e-mail links, the issuers'
e-mail log with reminder settings, and resending an award e-mail."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baeji.core.access import (
    access_award_for_user,
    access_organization_for_user,
    may,
)
from baeji.emails.forms import ReminderSettingsForm
from baeji.emails.models import Delivery, OutboxMessage
from baeji.emails.selectors import deliveries_for_organization
from baeji.emails.services import (
    EmailError,
    delivery_mark_opened,
    delivery_resend,
    email_settings_update,
    read_open_token,
    settings_for,
)


def _enabled() -> None:
    if not settings.DEV_OUTBOX:
        raise Http404("the outbox is only available in the demo")


def outbox(request):
    """The latest captured e-mails."""
    _enabled()
    return render(request, "emails/outbox.html", {"messages_": OutboxMessage.objects.all()[:100]})


def outbox_message(request, pk: int):
    """One captured e-mail; its HTML part is shown in a sandboxed frame."""
    _enabled()
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "emails/outbox_message.html", {"message": message})


def email_open(request, token: str):
    """A tracked link from an e-mail: record that the recipient opened it, then go on."""
    try:
        delivery_id, target = read_open_token(token)
    except (signing.BadSignature, KeyError, ValueError):
        raise Http404("unknown link") from None
    delivery_mark_opened(delivery_id=delivery_id)
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def organization_emails(request, slug: str):
    """Every e-mail sent for an organization, each try and failure, and the reminder policy."""
    organization = access_organization_for_user(request.user, slug, need="view")
    current = settings_for(organization)
    form = ReminderSettingsForm(
        request.POST or None,
        initial={
            "reminder_after_days": current.reminder_after_days,
            "reminder_max": current.reminder_max,
        },
    )
    if request.method == "POST":
        organization = access_organization_for_user(request.user, slug, need="manage")
        if form.is_valid():
            email_settings_update(organization=organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("Reminder settings saved."))
            return redirect("organization-emails", slug=slug)
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    return render(
        request,
        "emails/deliveries.html",
        {
            "organization": organization,
            "deliveries": deliveries_for_organization(organization, status=status),
            "statuses": Delivery.Status.choices,
            "status": status,
            "form": form,
            "can_manage": may(request.user, organization, "manage"),
        },
    )


@login_required
@require_POST
def award_resend(request, public_id: str):
    """Send an award's e-mail again (issuers)."""
    award = access_award_for_user(request.user, public_id, need="issue")
    try:
        delivery_resend(award=award, by=request.user)
    except EmailError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The e-mail will be sent again to %(email)s.") % {"email": award.recipient_email},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("award-detail", args=[public_id])
    return redirect(target)
