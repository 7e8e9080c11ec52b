"""The learner's backpack: every badge they hold here or bring from elsewhere, collections,
sharing, and the public profile.

Privacy decisions (see also accounts.services.account_delete):

* A new badge is private. "Private" governs what the platform *lists*: the learner's shared
  collection pages (/share/<id>) and profile (/u/<handle>) show only badges the learner made
  public, and never an e-mail address.
* A credential's own URL (/c/<id>, its JSON, baked PNG/SVG) keeps answering whoever holds the
  link, whatever the setting: verifiers need it, the id is unguessable, and it is what the
  learner hands out.
* Declining a badge hides it from the learner's pages and makes it private; the credential
  stays valid (only its issuer can revoke it) and the issuer sees "declined" through
  ``selectors.declined_award_ids`` / ``selectors.decision_for``.
* did:key: only the DID (the public key) is stored; the private key is downloaded once.
"""
