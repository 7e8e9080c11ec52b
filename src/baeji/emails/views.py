"""The demo outbox: captured e-mails, shown only when BAEJI_DEV_OUTBOX is on."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from baeji.emails.models import OutboxMessage


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
