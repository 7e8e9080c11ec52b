"""Accounts use Django's user model with allauth's e-mail addresses; no models of our own."""
