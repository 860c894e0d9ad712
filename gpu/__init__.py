"""The restyle pipeline. A plain package: no Django imports, so the web process never loads torch."""
