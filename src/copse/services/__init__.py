"""Services: whole operations built on the lower layers, called by the edges (CLI, web)."""
