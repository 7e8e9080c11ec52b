"""Proof suites: one module per suite (``eddsa_rdfc_2022`` ...), each with sign and verify."""
