"""Pure wire-format helpers for the CamCOPS client API (no I/O, no database)."""
