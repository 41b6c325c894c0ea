"""Recognisers for the inline text of a paragraph, list item or heading.

They read the model's inline text (code in backticks, strong emphasis in `**`), so nothing is
parsed twice. Each returns the pieces it found or None, and the walker tries them in order, the
way markdown-it-py tries its named rules.
"""

from __future__ import annotations

import re

from cardgen.parse.inline import ARROW, strip_code, unwrap_bold

_LABEL = re.compile(r"^\*\*([^*]+?)\*\*\s*:?\s*$")
_BOLD_TERM = re.compile(r"^\*\*([^*]+?)\*\*\s*(?:[:：]|\s[-–—=]\s?|\s?[–—]\s)\s*(\S.*)$", re.S)
_BOLD_TERM_INNER_COLON = re.compile(r"^\*\*([^*]+?)[:：]\*\*\s*(\S.*)$", re.S)
_CODE_TERM = re.compile(r"^(`+)(?!`)(.+?)\1\s*(?:[:：]|\s[-–—=]\s?|\s?[–—]\s)\s*(\S.*)$", re.S)
_CODE_TERM_VERB = re.compile(r"^(`+)(?!`)(.+?)\1\s+([a-z][a-z']+s\b.*)$", re.S)
"""`` `docker create` creates a container ``: a code term and a verb in the third person."""
_PLAIN_DASH = re.compile(r"^([^`*:\n()]{1,60}?)\s+(?:[–—]|-{1,2})\s+(\S.*)$", re.S)
_TAKEAWAY = re.compile(r"^[✓✔☑✅]\s*\*\*([^*]+?)\*\*\s*(?:[–—:-]\s*)?(\S.*)$", re.S)
_KEY_VALUE = re.compile(r"^([A-Za-z0-9][^:`*\n]{0,39}?):\s+(\S.*)$", re.S)
_STATE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*$")
_CHAIN_PART = re.compile(r"^[^\s:;,.!?][^:;!?]{0,39}$")
_QUESTION_START = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|can|could|does|do|did|should|"
    r"would|will|explain|describe|define|name|list|compare|differentiate|distinguish)\b",
    re.I,
)
_NUMBERING = re.compile(r"^(?:(?:Q|Question)\s*)?\d+(?:\.\d+)*[.):]?\s+(?=\S)", re.I)
_EMOJI = re.compile(
    "^[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3\U000e0020-\U000e007f"
    r"\s]+"
)
_NOT_TERMS = frozenset(
    {
        "note",
        "notes",
        "example",
        "examples",
        "e.g",
        "eg",
        "tip",
        "tips",
        "warning",
        "important",
        "caution",
        "see",
        "see also",
        "also",
        "usage",
        "output",
        "result",
        "syntax",
        "todo",
        "hint",
    }
)
"""Words that open a remark, never a definition."""


def bare(text: str) -> str:
    """Inline text without its code backticks and strong marks."""
    return strip_code(text).replace("**", "").strip()


def clean_heading(title: str) -> str:
    """Heading text as a cue: without leading emoji and without `15.`-style numbering."""
    title = unwrap_bold(_EMOJI.sub("", title).strip())
    return _NUMBERING.sub("", title).strip() or title


def match_label(text: str) -> str | None:
    """`**TCP Use Cases:**`, `**Why Three Steps?**` → the label without its colon."""
    m = _LABEL.match(text.strip())
    return m.group(1).strip().rstrip(":：").strip() if m else None


def match_lead_in(text: str) -> str | None:
    """A short sentence that ends in `:` and introduces what follows: `The flags are:`."""
    text = text.strip()
    if not text.endswith((":", "：")) or text.endswith("::"):
        return None
    body = text[:-1].strip()
    words = bare(body).split()
    if not words or len(words) > 30:
        return None
    return body


_DEICTIC = re.compile(
    r"\b(?:following|like so|as follows|below|above|this way|like this|the command|for example|"
    r"e\.g|then|instead|again|here|just|simply|you can|these|this|those|see)\b",
    re.I,
)


def describing(lead_in: str) -> str | None:
    """A lead-in that can name what the code below it does (`Show all pods`), or None when it
    only points at it (`Run the following command`) or says too much."""
    text = lead_in.strip().rstrip(":： ").strip()
    if len(bare(text).split()) > 10 or _DEICTIC.search(bare(text)) or re.search(r"[.!?]\s", text):
        return None
    return text


def _valid_term(term: str) -> bool:
    plain = bare(term).strip(" .")
    return bool(plain) and bool(re.search(r"\w|[^\s\w]", plain)) and plain.lower() not in _NOT_TERMS


def match_definition(text: str) -> tuple[str, str, str] | None:
    """`**Term**: text`, `**Term:** text`, `**Term** - text`, `` `term` - text `` or
    `` `term` does x `` → (term, text, form)."""
    text = text.strip()
    for pattern, form in ((_BOLD_TERM_INNER_COLON, "bold"), (_BOLD_TERM, "bold")):
        m = pattern.match(text)
        if m and _valid_term(m.group(1)):
            return m.group(1).strip(), m.group(2).strip(), form
    m = _CODE_TERM.match(text)
    if m and m.group(2).strip():
        return f"{m.group(1)}{m.group(2)}{m.group(1)}", m.group(3).strip(), "code"
    m = _CODE_TERM_VERB.match(text)
    if (
        m
        and len(m.group(2).strip()) >= 2
        and len(m.group(3).split()) >= 2
        and is_verb_3rd(m.group(3))
    ):
        return f"{m.group(1)}{m.group(2)}{m.group(1)}", _first_clause(m.group(3)), "code"
    return None


VERBS = frozenset(
    """show list display view count find search remove delete kill stop start restart check print
    get set create add update install uninstall upgrade download upload copy move rename compare
    filter sort capture scan test query flush release renew clone fetch pull push merge rebase
    commit tag reset revert stash mount unmount attach detach enable disable open close connect
    send receive read write edit save load export import run execute build compile watch follow
    trace ping resolve inspect describe scale apply expose forward switch change convert format
    extract compress archive split join generate verify sign encrypt decrypt monitor measure
    limit allow deny block give turn use make increase decrease reload clean prune purge clear
    return discard undo redo append replace rewrite squash bind listen accept configure define
    declare initialize allocate free lock unlock wait sleep spawn fork map reduce iterate yield
    await poll parse serialize deserialize encode decode hash match translate route forward
    establish terminate assign map expand collapse insert pop push peek drain truncate pad trim
    split join reverse rotate shift fill swap take skip chain zip collect count sum tell lookup
    mean stand represent hold store contain keep provide handle manage pause unpause produce
    consume emit catch throw raise ignore skip""".split()
)


_PARALLEL = re.compile(r"[,;]\s*(?:and\s+|while\s+)?(`+)[^`]+\1\s+(?P<verb>\w+)")


def _first_clause(text: str) -> str:
    """`starts a document, `...` ends one` → `starts a document`: a sentence that says what
    two pieces of code do holds two facts; the first belongs to the leading term."""
    for m in _PARALLEL.finditer(text):
        if is_verb_3rd(m.group("verb")) or re.fullmatch(r"[a-z]+s", m.group("verb")):
            return text[: m.start()].strip()
    return text.strip()


def is_verb_3rd(text: str) -> bool:
    """`creates a container`, `gets the keys`: a known verb in the third person."""
    word = text.split()[0].lower() if text.split() else ""
    for cut in ("ies", "es", "s"):
        if word.endswith(cut):
            stem = word[: -len(cut)] + ("y" if cut == "ies" else "")
            if stem in VERBS or stem + "e" in VERBS:
                return True
    return False


def match_plain_definition(text: str) -> tuple[str, str] | None:
    """`TCP – Transmission Control Protocol`: a short term, a dash, its text."""
    m = _PLAIN_DASH.match(text.strip())
    if not m:
        return None
    term, rest = m.group(1).strip(), m.group(2).strip()
    if len(term.split()) > 5 or len(rest.split()) < 1 or not _valid_term(term):
        return None
    if term[-1] in ".,;!?" or re.search(r"\b(?:is|are|was|the|a|an)$", term, re.I):
        return None
    return term, rest


def match_takeaway(text: str) -> tuple[str, str] | None:
    """`✓ **Point** – explanation` → (point, explanation)."""
    m = _TAKEAWAY.match(text.strip())
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def match_key_value(text: str) -> tuple[str, str] | None:
    """`Local connection: microseconds`, `404: Not Found` → (key, value)."""
    m = _KEY_VALUE.match(text.strip())
    if not m:
        return None
    key = m.group(1).strip()
    if bare(key).lower().strip(" .") in _NOT_TERMS or len(key.split()) > 4:
        return None
    if re.match(r"^https?$", key, re.I):
        return None
    return key, m.group(2).strip()


def is_state_name(text: str) -> bool:
    """`TIME_WAIT`, `SYN-ACK`, `CLOSED`: an upper-case identifier."""
    return bool(_STATE_NAME.match(bare(text)))


def match_chain(text: str, min_links: int = 3) -> tuple[str, ...] | None:
    """`CLOSED → LISTEN → ESTABLISHED`, `socket() -> bind()`, `A => B` → the links, in order."""
    text = text.strip()
    if re.fullmatch(r"`[^`]+`", text):
        text = text[1:-1]
    if "\n" in text or not ARROW.search(text):
        return None
    parts = tuple(p.strip() for p in ARROW.split(text))
    if len(parts) < min_links or not all(parts):
        return None
    if not all(_CHAIN_PART.match(bare(p)) and len(bare(p).split()) <= 5 for p in parts):
        return None
    return parts


def match_state_path(text: str, min_states: int = 2) -> tuple[str, ...] | None:
    """A chain whose every link is a state name."""
    parts = match_chain(text, min_states)
    if parts and all(is_state_name(p) for p in parts):
        return tuple(bare(p) for p in parts)
    return None


def is_question(text: str) -> bool:
    """`What is a socket?`, `15. Why does TIME_WAIT exist?`: a question, not a remark."""
    plain = clean_heading(bare(text)).strip()
    if not plain.endswith("?") or len(plain.split()) < 2:
        return False
    return bool(_QUESTION_START.match(plain)) or len(plain.split()) >= 3


def question_text(text: str) -> str:
    """The question as a cue: no numbering, no emoji, no `Q:`."""
    return re.sub(r"^(?:Q|Question)\s*[:.)-]\s*", "", clean_heading(text.strip()), flags=re.I)


def looks_like_api(title: str) -> str | None:
    """A heading that names a command or API: `values()`, `` `git stash` ``, `docker ps`,
    `Vec::new` → the name as inline code; None for a heading in words."""
    text = clean_heading(title).strip()
    m = re.fullmatch(r"(`+)(.+?)\1", text)
    if m:
        return text
    plain = bare(text)
    if re.fullmatch(r"[A-Za-z_][\w.:]*\([^()]*\)", plain):
        return f"`{plain}`"
    if re.fullmatch(r"[A-Za-z_]\w*(?:::\w+)+", plain):
        return f"`{plain}`"
    tool = re.fullmatch(r"[a-z][\w-]*(?: -{0,2}[a-z][\w-]*){0,3}", plain)
    if tool and plain.split()[0] in KNOWN_TOOLS:
        return f"`{plain}`"
    return None


KNOWN_TOOLS = frozenset(
    """apt brew cargo cat cd chmod chown cp curl dig docker git go grep helm ip kill kubectl ls
    make mkdir mv nc netstat nmap npm pip ping python rm rustc rustup scp sed ss ssh sudo
    systemctl tar tcpdump tmux traceroute wget yarn awk find tail head less vim nslookup
    openssl telnet iptables ufw journalctl ps top htop df du free lsof mount umount""".split()
)
"""Command names recognised at the start of a heading or an unlabelled code line."""
