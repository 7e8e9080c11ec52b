"""The outbox: e-mails captured in the database instead of sent (demo and development)."""

from django.db import models


class OutboxMessage(models.Model):
    """One captured e-mail, as the recipient would have received it."""

    to = models.TextField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
