"""The MkDocs plugin (`plugins: [cardgen]`): the mdBook preprocessor's work for a MkDocs site.

When MkDocs has gathered the site's files (`on_files`, before any page is read or written),
every documentation page is read as a sheet (`docs/ch02.md`), checked, and given its quiz and
deck; the decks and printable quizzes join the site's files (`cardgen/<page>.apkg`, …). A
failing snippet or claim stops the build there with `docs/<page>.md:<line>: …`: no page is
written (MkDocs has emptied the site folder by then), so nothing is published. Markers become
placeholders in `on_page_markdown` and their HTML in `on_page_content`, so that Markdown never
reads the quiz's HTML.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from cardgen.errors import CardgenError
from cardgen.integrations.book import QUIZ_MODES, BookOptions, Chapter, ChapterResult
from cardgen.integrations.markers import replace, scan

log = logging.getLogger("mkdocs.plugins.cardgen")
PLACEHOLDER = "CARDGENBLOCK{}X{}Q"


class CardgenConfig(Config):
    checks = opt.Type(bool, default=True)
    quiz = opt.Choice(QUIZ_MODES, default="marker")
    decks = opt.Type(bool, default=True)
    seed = opt.Type(int, default=0)
    questions = opt.Type(int, default=40)
    deck_prefix = opt.Optional(opt.Type(str))
    """Parent deck of every page's deck; the site's name when not given."""
    jobs = opt.Type(int, default=2)
    check_timeout = opt.Type((int, float), default=10.0)
    require_isolation = opt.Type(bool, default=False)
    folder = opt.Type(str, default="cardgen")
    """Where the decks and printable quizzes go in the site."""


class CardgenPlugin(BasePlugin[CardgenConfig]):
    def __init__(self) -> None:
        self.results: dict[str, ChapterResult] = {}
        self.pending: dict[str, dict[str, str]] = {}

    def _options(self, site_name: str) -> BookOptions:
        c = self.config
        for key in ("questions", "jobs"):
            if c[key] < 1:
                raise PluginError(f"cardgen: {key}: expected 1 or more, got {c[key]}")
        if c.check_timeout <= 0:
            raise PluginError(
                f"cardgen: check_timeout: expected more than 0, got {c.check_timeout}"
            )
        parts = PurePosixPath(c.folder).parts
        if not parts or c.folder.startswith("/") or ".." in parts:
            raise PluginError(f"cardgen: folder: expected a folder name, got {c.folder!r}")
        return BookOptions(
            checks=c.checks,
            quiz=c.quiz,
            decks=c.decks,
            seed=c.seed,
            questions=c.questions,
            deck_prefix=site_name if c.deck_prefix is None else c.deck_prefix,
            jobs=c.jobs,
            check_timeout=float(c.check_timeout),
            require_isolation=c.require_isolation,
        )

    def on_files(self, files: Files, /, *, config) -> Files:
        from cardgen import cache
        from cardgen.integrations.book import build_book

        options = self._options(config.site_name or "")
        base = Path(config.config_file_path or config.docs_dir).resolve().parent
        chapters: list[tuple[File, Chapter]] = []
        for file in files.documentation_pages():
            path = Path(file.abs_src_path) if file.abs_src_path else None
            shown = os.path.relpath(path, base) if path else file.src_uri
            try:
                text = file.content_string
            except (OSError, UnicodeDecodeError) as exc:
                raise PluginError(f"{shown}: cannot be read: {exc}") from None
            depth = file.url.count("/")
            chapters.append(
                (
                    file,
                    Chapter(
                        shown=shown.replace(os.sep, "/"),
                        text=text.replace("\r\n", "\n"),
                        out_name=str(PurePosixPath(file.src_uri).with_suffix("")),
                        link_prefix="../" * depth + f"{self.config.folder}/",
                        file=path,
                    ),
                )
            )
        cache.on_warning = log.warning
        cache.ensure_usable()
        try:
            results = build_book([c for _, c in chapters], options)
        except CardgenError as exc:
            raise PluginError(f"cardgen: {exc}") from None
        for result in results:
            for warning in result.warnings:
                log.warning(warning)
        errors = [e for r in results for e in r.errors]
        if errors:
            for error in errors:
                log.error(error)
            raise PluginError(
                f"cardgen: {len(errors)} problem(s) in the site's pages: the site is not built"
            )
        self.results = {file.src_uri: r for (file, _), r in zip(chapters, results, strict=True)}
        for result in results:
            for name, data in sorted(result.files.items()):
                uri = f"{self.config.folder}/{name}"
                if (same := files.get_file_from_path(uri)) is not None:
                    files.remove(same)  # the author's own file of that name: ours replaces it
                files.append(File.generated(config, uri, content=data))
        return files

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        result = self.results.get(page.file.src_uri)
        if result is None:
            return markdown
        markers, _ = scan(markdown)
        slots: dict[str, str] = {}
        lines: dict[int, str] = {}
        for n, (marker, html) in enumerate(zip(markers, result.blocks, strict=False)):
            token = PLACEHOLDER.format(id(self) % 100000, n)
            slots[token] = html
            lines[marker.line] = token if html else ""
        markdown = replace(markdown, lines)
        if result.tail:
            token = PLACEHOLDER.format(id(self) % 100000, "tail")
            slots[token] = result.tail
            markdown = markdown.rstrip("\n") + f"\n\n{token}\n"
        self.pending[page.file.src_uri] = slots
        return markdown

    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        for token, block in self.pending.pop(page.file.src_uri, {}).items():
            html = html.replace(f"<p>{token}</p>", block).replace(token, block)
        return html
