"""Periodic duties without cron: one database row per duty, claimed by whichever worker ticks
first once it is due, then run as an ordinary background task (see ``services``)."""
