"""The verification app reads other apps' data; it has no models of its own."""
