"""A test e-mail backend that fails the first two sends, then delivers to the locmem outbox."""

from django.core.mail.backends.locmem import EmailBackend

FAILURES = {"left": 2}


class FailTwiceBackend(EmailBackend):
    """Raises ``ConnectionRefusedError`` while ``FAILURES['left']`` > 0."""

    def send_messages(self, messages):
        """Fail, or store the messages like the locmem backend."""
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise ConnectionRefusedError("mail server unavailable")
        return super().send_messages(messages)
