"""The demo programme loaded by ``flask demo load`` (DESIGN.md §5)."""
