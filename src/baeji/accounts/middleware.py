"""Staff must have a TOTP authenticator before they use the platform."""

from django.conf import settings
from django.shortcuts import redirect


class StaffMfaMiddleware:
    """Sends signed-in staff without an authenticator to the allauth MFA set-up page.

    Off when BAEJI_STAFF_MFA_REQUIRED is false (the local demo).
    """

    allowed_prefixes = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.BAEJI_STAFF_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith(self.allowed_prefixes)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                return redirect("mfa_activate_totp")
        return self.get_response(request)
