"""Loss names: the lookup key, the name index and "did you mean" (no torch, no difflib).

``similarity`` is a normalized Levenshtein distance with ties broken by the key itself, so the
widget's engine (``docs/assets/loss-engine.js``) gives exactly the same suggestions from the same
index, which the payload carries.
"""

from __future__ import annotations

import re

CUTOFF = 0.6  # the least similarity of a suggestion
PREFIXES = ("torch.", "nn.", "functional.", "f.")


def key(text: str) -> str:
    """The lookup key of a name: lower case, common prefixes dropped, only [a-z0-9] kept."""
    t = (text or "").lower()
    for p in PREFIXES:
        t = t.removeprefix(p)
    return re.sub(r"[^a-z0-9]", "", t)


def similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / length of the longer word."""
    m, n = len(a), len(b)
    if not m and not n:
        return 1.0
    prev = list(range(n + 1))
    for i in range(1, m + 1):
        cur = [i] + [0] * n
        for j in range(1, n + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        prev = cur
    return 1 - prev[n] / max(m, n)


def closest(word: str, options, n: int) -> list[str]:
    """Up to ``n`` options at least CUTOFF similar to ``word``, most similar first (ties: alphabetical)."""
    scored = [(similarity(word, o), o) for o in options]
    scored = [s for s in scored if s[0] >= CUTOFF]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [o for _, o in scored[:n]]


def build_index(contracts) -> dict[str, str]:
    """key -> class name for every class name, name without 'Loss', functional name and alias."""
    idx: dict[str, str] = {}
    for c in contracts:
        for name in (c.name, c.name.removesuffix("Loss"), c.functional, *c.aliases):
            if c.deprecated and key(name) in idx:
                continue
            idx.setdefault(key(name), c.name)
    for c in contracts:  # a functional name shared with a deprecated class (nll_loss) names the current one
        if not c.deprecated:
            idx[key(c.functional)] = c.name
    return dict(sorted(idx.items()))


def suggest(name: str, index: dict[str, str], classes) -> list[str]:
    """Up to three loss classes a misspelled name may mean."""
    k = key(name)
    names = list(dict.fromkeys(index[x] for x in closest(k, index, 6)))[:3]
    if not names:  # substring match: 'margin' -> the margin losses
        names = [c for c in classes if k and k in c.lower()][:3]
    return names
