"""copse: a server for the CamCOPS tablet client API."""

__version__ = "0.1.0"
