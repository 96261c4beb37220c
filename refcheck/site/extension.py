"""The site layer as a Python-Markdown extension: claim markers, directives and evidence values are expanded
before Markdown parses the page. Listed under ``markdown_extensions:`` in ``mkdocs.yml``, so any builder that
runs Python-Markdown extensions runs it (MkDocs; Zensical).

The page being built is passed explicitly: the ``page`` option (relative to docs/), else the page the builder
says it is rendering: MkDocs' relative-path processor and Zensical's rendering-context preprocessor, both
registered on the same Markdown instance, hold it."""

from __future__ import annotations

from pathlib import Path

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from refcheck.site.errors import SiteError
from refcheck.site.expand import expand_page
from refcheck.site.markers import MarkerError
from refcheck.site.state import SiteState

class MarkerBuildError(MarkerError, SiteError):
    """A marker the build cannot expand; the message names docs/file:line, the marker and what is valid."""


def mkdocs_page(md: Markdown) -> tuple[str, Path] | None:
    """``(src path, docs dir)`` of the page MkDocs is rendering with ``md``, or None outside MkDocs."""
    proc = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None
    file = getattr(proc, "file", None)
    if file is None or not getattr(file, "abs_src_path", None):
        return None
    src = file.src_uri
    docs = Path(file.abs_src_path).parents[len(Path(src).parts) - 1]
    return src, docs


def zensical_page(md: Markdown) -> tuple[str, Path] | None:
    """``(src path, docs dir)`` of the page Zensical is rendering with ``md`` (its rendering-context
    preprocessor holds the page and the config), or None outside Zensical."""
    proc = md.preprocessors["rendering_context"] if "rendering_context" in md.preprocessors else None
    page, config = getattr(proc, "page", None), getattr(proc, "config", None)
    if page is None or not isinstance(config, dict):
        return None
    docs = Path(config.get("docs_dir", "docs"))
    return Path(page.path).as_posix(), docs if docs.is_absolute() else Path(config.get("config_file_path", ".")).parent / docs


class RefcheckPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, page: str, docs_dir: str, state: SiteState | None):
        super().__init__(md)
        self.page, self.docs_dir, self.state = page, docs_dir, state

    def run(self, lines: list[str]) -> list[str]:
        page, docs = self.page, Path(self.docs_dir or "docs")
        found = (mkdocs_page(self.md) or zensical_page(self.md)) if not page else None
        if found:
            page, docs = found
        if not page:
            raise SiteError("refcheck: the page being built is unknown; pass the 'page' option of refcheck.site.extension")
        state = self.state or SiteState.for_project(docs)
        try:
            return expand_page("\n".join(lines), page, state).split("\n")
        except MarkerError as exc:
            raise MarkerBuildError(str(exc)) from None


class RefcheckExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "page": ["", "the page being built, relative to docs/ (found automatically under MkDocs)"],
            "docs_dir": ["docs", "the docs directory, when the page is given"],
            "state": ["", "a SiteState to render from (tests); default: the project's reports"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        cfg = self.getConfigs()
        # after whitespace normalisation (30), before fenced code (25) and raw HTML blocks (20) are stashed
        md.preprocessors.register(RefcheckPreprocessor(md, cfg["page"], cfg["docs_dir"], cfg["state"] or None), "refcheck", 27)


def makeExtension(**kwargs) -> RefcheckExtension:  # noqa: N802 (Python-Markdown's entry point)
    return RefcheckExtension(**kwargs)
