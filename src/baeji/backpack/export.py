"""The learner's "download everything": one ZIP of every credential (JSON and baked image)
with a manifest describing the account, the badges and the collections."""

from __future__ import annotations

import io
import json
import zipfile

from django.utils import timezone

from baeji.backpack import selectors
from baeji.backpack.models import ImportedBadge
from baeji.core import links
from baeji.credentials.bake import bake

_IMAGE_SUFFIX = {"png": "png", "svg": "svg"}


def backpack_zip(user) -> bytes:
    """Everything the learner holds here, as the bytes of a ZIP archive."""
    buffer = io.BytesIO()
    cards = selectors.backpack_cards(user, include_declined=True)
    manifest: dict = {
        "exported_at": timezone.now().isoformat(),
        "account": {"email_addresses": selectors.confirmed_emails(user)},
        "badges": [],
        "collections": [],
    }
    profile = selectors.profile_for(user)
    if profile:
        manifest["account"].update(
            handle=profile.handle, display_name=profile.display_name, did=profile.did
        )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for card in cards:
            entry = {
                "name": card.name,
                "issuer": card.issuer,
                "issued_at": card.issued_at.isoformat() if card.issued_at else None,
                "status": card.status,
                "public": card.is_public,
                "files": [],
            }
            if card.kind == "award":
                award = card.obj
                folder = f"platform/{award.public_id}"
                entry.update(decision=card.decision, url=links.credential_url(award))
                archive.writestr(f"{folder}.json", award.credential_json)
                entry["files"].append(f"{folder}.json")
                if award.version.image_png:
                    archive.writestr(
                        f"{folder}.png", bake(bytes(award.version.image_png), award.credential_json)
                    )
                    entry["files"].append(f"{folder}.png")
            else:
                badge = ImportedBadge.objects.get(pk=card.obj.pk)
                folder = f"imported/{badge.public_id}"
                suffix = _IMAGE_SUFFIX.get(badge.source, "txt")
                archive.writestr(f"{folder}-original.{suffix}", bytes(badge.original))
                entry["files"].append(f"{folder}-original.{suffix}")
                if badge.credential_json:
                    archive.writestr(f"{folder}.json", badge.credential_json)
                    entry["files"].append(f"{folder}.json")
                entry["verification"] = badge.report_json
            manifest["badges"].append(entry)
        for collection in selectors.collections_for(user):
            manifest["collections"].append(
                {
                    "name": collection.name,
                    "description": collection.description,
                    "shared": collection.is_shared,
                    "badges": [
                        c.name for c in selectors.collection_cards(collection, public_only=False)
                    ],
                }
            )
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()
