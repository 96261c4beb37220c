"""Claim modules, one per topic of the site. Each module registers its claims with ``@claim``."""
