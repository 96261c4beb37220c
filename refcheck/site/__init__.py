"""Site integration: a Python-Markdown extension expands claim markers, directives and evidence values at
build time (``extension``), another writes math as MathML (``math``); the MkDocs hook adds what only MkDocs can."""
