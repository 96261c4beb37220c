"""Site integration: claim markers expanded at build time, generated tables, the ledger."""
