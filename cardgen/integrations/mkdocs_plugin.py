"""The MkDocs plugin (`plugins: [cardgen]`): the mdBook preprocessor's work for a MkDocs site.

Before MkDocs empties the site folder (`on_pre_build`), every documentation page is read as a
sheet (`docs/ch02.md`, from the folder of mkdocs.yml), checked, and given its quiz and deck.
A failing snippet or claim stops the build there with `docs/<page>.md:<line>: …`: the site
published last is left as it was, and nothing is written. Otherwise the ledger of note
identities is written beside mkdocs.yml, and the decks and printable quizzes join the site's
files (`on_files`: `cardgen/<page>.apkg`, …). Markers become placeholders in
`on_page_markdown` and their HTML in `on_page_content`, so that Markdown never reads the
quiz's HTML.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from cardgen.errors import CardgenError
from cardgen.integrations.book import BookResult, Chapter, ChapterResult, shown_path
from cardgen.integrations.markers import replace, scan
from cardgen.integrations.options import SETTINGS, BookOptions, book_options

log = logging.getLogger("mkdocs.plugins.cardgen")
PLACEHOLDER = "CARDGENBLOCK{}X{}Q"


def _option(kind: type) -> opt.Optional:
    """A setting as MkDocs checks it: its type only (a number may be written `10` or `10.0`);
    `cardgen.integrations.options` checks the rest, as for book.toml."""
    return opt.Optional(opt.Type((int, float) if kind is float else kind))


CardgenConfig = type(
    "CardgenConfig", (Config,), {name: _option(kind) for name, kind in SETTINGS.items()}
)
"""The plugin's options: the book's settings, with cardgen.toml's names (`quiz_seed`…)."""


class CardgenPlugin(BasePlugin[CardgenConfig]):  # type: ignore[valid-type]
    def __init__(self) -> None:
        self.book: BookResult | None = None
        self.options: BookOptions | None = None
        self.results: dict[str, ChapterResult] = {}
        self.pending: dict[str, dict[str, str]] = {}

    def _settings(self, site_name: str) -> BookOptions:
        given = {k: v for k, v in self.config.items() if v is not None}
        try:
            return book_options(
                given,
                "mkdocs.yml",
                "plugins: cardgen:",
                defaults={"deck_prefix": site_name} if site_name else {},
            )
        except CardgenError as exc:
            raise PluginError(f"cardgen: {exc}") from None

    def on_pre_build(self, *, config) -> None:
        from mkdocs.structure.files import get_files

        from cardgen import cache
        from cardgen.integrations.book import build_book

        options = self.options = self._settings(config.site_name or "")
        base = Path(config.config_file_path or config.docs_dir).resolve().parent
        chapters: list[tuple[str, Chapter]] = []
        for file in get_files(config).documentation_pages():
            path = Path(file.abs_src_path).resolve() if file.abs_src_path else None
            shown = shown_path(path, base) if path else file.src_uri
            try:
                text = file.content_string
            except (OSError, UnicodeDecodeError) as exc:
                raise PluginError(f"{shown}: cannot be read: {exc}") from None
            name = str(PurePosixPath(file.src_uri).with_suffix(""))
            chapter = Chapter(
                shown=shown,
                text=text.replace("\r\n", "\n"),
                name=name,
                link_prefix="../" * file.url.count("/") + f"{options.folder}/",
                file=path,
            )
            chapters.append((file.src_uri, chapter))
        cache.on_warning = log.warning
        cache.ensure_usable()
        try:
            book = build_book([c for _, c in chapters], options, base)
        except CardgenError as exc:
            raise PluginError(f"cardgen: {exc}") from None
        for warning in book.warnings + [w for r in book.chapters for w in r.warnings]:
            log.warning(warning)
        if book.errors:
            for error in book.errors:
                log.error(error)
            raise PluginError(
                f"cardgen: {len(book.errors)} problem(s) in the site's pages: the site is not "
                "built, and the one built last is left as it was"
            )
        try:
            book.write_ledger()
        except CardgenError as exc:
            raise PluginError(f"cardgen: {exc}") from None
        for note in book.notes:
            log.info(f"cardgen: {note}")
        self.book = book
        self.results = {uri: r for (uri, _), r in zip(chapters, book.chapters, strict=True)}

    def on_files(self, files: Files, /, *, config) -> Files:
        if self.book is None or self.options is None:
            return files
        for name, data in sorted(self.book.files.items()):
            uri = f"{self.options.folder}/{name}"
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
