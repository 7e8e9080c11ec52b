"""An e-mail backend that keeps messages in the database for the /dev/outbox page."""

from django.core.mail.backends.base import BaseEmailBackend


class DatabaseOutboxBackend(BaseEmailBackend):
    """Stores every message as an OutboxMessage instead of sending it."""

    def send_messages(self, email_messages):
        """Store the messages; returns how many were stored."""
        from baeji.emails.models import OutboxMessage

        count = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            OutboxMessage.objects.create(
                to=", ".join(message.recipients()),
                from_email=message.from_email,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
            )
            count += 1
        return count
