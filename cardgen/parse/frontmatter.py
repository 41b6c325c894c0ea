"""Front matter (YAML between `---` lines, TOML between `+++` lines) and the site-generator
noise that real sheets carry: kramdown attribute lines (`{: .-three-column}`) and Liquid tags
(`{% raw %}`). Both are blanked line for line, so every later line number stays right."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from cardgen.errors import Diagnostic

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATTRIBUTE_LINE = re.compile(r"^\s*\{:?\s*[.#:][^{}]*\}\s*$|^\s*\{:[^{}]*\}\s*$")
_LIQUID_LINE = re.compile(r"^\s*\{%-?\s*\w+\b[^%]*-?%\}\s*$")
_HIGHLIGHT = re.compile(r"^\s*\{%-?\s*highlight\s+(\w+)[^%]*%\}\s*$")
_END_HIGHLIGHT = re.compile(r"^\s*\{%-?\s*endhighlight\s*-?%\}\s*$")
_TRAILING_ATTRIBUTE = re.compile(r"\s*\{:\s*[^{}]*\}\s*$|(?<=\S)\s+\{[#.][\w .#=-]*\}\s*$")


@dataclass(slots=True)
class FrontMatter:
    """What the front matter says that cardgen uses; the rest is never shown on a card."""

    title: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    lines: int = 0
    """How many lines it took (they are blanked in the text)."""
    warnings: list[Diagnostic] = field(default_factory=list)


def split_front_matter(text: str, path: str) -> tuple[FrontMatter, str]:
    """The front matter, and the text with its lines blanked."""
    lines = text.split("\n")
    if not lines or lines[0].strip() not in ("---", "+++"):
        return FrontMatter(), text
    marker = lines[0].strip()
    closers = {marker, "..."} if marker == "---" else {marker}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closers), None)
    if end is None:
        return FrontMatter(), text
    raw = "\n".join(lines[1:end])
    meta, problem = _read(raw, marker)
    front = _front_matter(meta)
    front.lines = end + 1
    if problem:
        front.warnings.append(Diagnostic(path, 1, f"front matter not read: {problem}"))
    blanked = [""] * (end + 1) + lines[end + 1 :]
    return front, "\n".join(blanked)


def _read(raw: str, marker: str) -> tuple[dict, str]:
    if marker == "+++":
        try:
            return tomllib.loads(raw), ""
        except tomllib.TOMLDecodeError as exc:
            return {}, f"not valid TOML ({exc})"
    try:
        import yaml
    except ImportError:  # pragma: no cover - a dependency
        return _simple_yaml(raw), ""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        return _simple_yaml(raw), f"not valid YAML ({mark})"
    return (data if isinstance(data, dict) else {}), ""


def _simple_yaml(raw: str) -> dict:
    """`key: value` lines, for front matter that YAML refuses."""
    out: dict[str, str] = {}
    for line in raw.split("\n"):
        m = re.match(r"^([A-Za-z_][\w-]*):\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip().strip("\"'")
    return out


def _front_matter(meta: dict) -> FrontMatter:
    title = meta.get("title")
    tags = meta.get("tags")
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    if not isinstance(tags, list):
        tags = []
    description = meta.get("description")
    return FrontMatter(
        title=_scalar(title),
        tags=tuple(_scalar(t) for t in tags if _scalar(t)),
        description=_scalar(description),
    )


def _scalar(value: object) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    return ""


_TAB = re.compile(r"^(={3}\+?|/// tab \|)\s*\"?([^\"]*)\"?\s*$")


def blank_noise(text: str) -> str:
    """Blank kramdown attribute lines and Liquid tag lines outside code fences; cut a trailing
    `{: …}` off a line. Jekyll's `{% highlight x %}` … `{% endhighlight %}` become a fence."""
    out: list[str] = []
    fence: str | None = None
    tab = False
    for line in text.split("\n"):
        if fence is None and (t := _TAB.match(line)):
            out.append(f"**{t.group(2).strip()}:**" if t.group(2).strip() else "")
            tab = True
            continue
        if tab and line.startswith("    "):
            line = line[4:]
        elif tab and line.strip():
            tab = False
        if fence is None and (h := _HIGHLIGHT.match(line)):
            fence = "```"
            out.append(f"```{h.group(1)}")
            continue
        if fence == "```" and _END_HIGHLIGHT.match(line):
            fence = None
            out.append("```")
            continue
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            out.append(line)
            continue
        if fence is not None:
            if _closes(m, fence, line):
                fence = None
            out.append(line)
            continue
        if _ATTRIBUTE_LINE.match(line) or _LIQUID_LINE.match(line):
            out.append("")
        elif "{:" in line or (line.lstrip().startswith("#") and "{" in line):
            out.append(_TRAILING_ATTRIBUTE.sub("", line))
        else:
            out.append(line)
    return "\n".join(out)


_PROSE_START = re.compile(
    r"^(?:#{1,6}\s|\*\*|[-*+]\s+\S|\d+[.)]\s+[A-Z]|\||>\s|"
    "[\U0001f000-\U0001faff\u2600-\u27bf]|[A-Z][a-z]+(?:\\s+[A-Za-z][a-z]+){2,}[^;{}=()]*$)"
)


def close_dangling_fences(text: str) -> tuple[str, list[int]]:
    """A fence never closed swallows the rest of the sheet. Close it where the code plainly
    ends (a blank line, then a heading, a list or a line of prose), keeping every line number;
    return the fences' lines."""
    lines = text.split("\n")
    fixed: list[int] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence = m.group(1)
        end = next(
            (
                j
                for j in range(i + 1, len(lines))
                if _closes(_FENCE.match(lines[j]), fence, lines[j])
            ),
            None,
        )
        if end is not None:
            i = end + 1
            continue
        fixed.append(i + 1)
        for j in range(i + 1, len(lines) - 1):
            if not lines[j].strip() and _PROSE_START.match(lines[j + 1].strip()):
                lines[j] = fence[0] * len(fence)
                i = j
                break
        else:
            break
        i += 1
    return "\n".join(lines), fixed


def _closes(m: re.Match[str] | None, fence: str, line: str) -> bool:
    if m is None:
        return False
    run = m.group(1)
    return run[0] == fence[0] and len(run) >= len(fence) and not line.strip()[len(run) :].strip()
