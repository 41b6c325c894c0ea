"""Code: the key calls of a snippet hidden in turn (one note); what a line prints where the
sheet shows it (`>>>` transcripts, `#=>` comments); commands asked by what they do."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from cardgen.model import SHELL_LANGS, Command, Sheet, ShellCommand, Snippet
from cardgen.parse.inline import code_span
from cardgen.parse.snippets import is_script
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import is_label, is_sample
from cardgen.questions.text import (
    content_words,
    gives_away,
    lower_first,
    norm,
    plain,
    strip_end,
    word_count,
)

_PATH_CALL = re.compile(r"\b([A-Z][A-Za-z0-9_]*::[a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(")
_METHOD_CALL = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:::<[^>]*>)?\(")
_FUNC_CALL = re.compile(r"(?<![\w.:])([a-z_][a-z0-9_]*)\s*\(")
_COMMENT = re.compile(r"//[^\n]*|#[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\\n])*\'')
_OUTPUT_COMMENT = re.compile(r"\s*(?:#|//)\s*(?:=>|→|->|#=>|output:|prints?:)\s*(.+)$", re.I)
_REPL = re.compile(r"^(>>>|\.\.\.)\s?")
GENERIC_CALLS = frozenset(
    """into unwrap expect clone iter to_string as_ref len map collect ok format push get new
    is_ok is_err as_str to_owned print println printf if for while switch return sizeof
    match some range str int list dict set tuple type isinstance super main""".split()
)
CODE_LANGS = frozenset(
    {
        "rust",
        "rs",
        "python",
        "py",
        "python3",
        "go",
        "golang",
        "c",
        "cpp",
        "c++",
        "java",
        "javascript",
        "js",
        "typescript",
        "ts",
        "kotlin",
        "swift",
        "ruby",
        "rb",
        "php",
        "csharp",
        "cs",
        "scala",
    }
)
FUNC_LANGS = frozenset(
    {
        "python",
        "py",
        "python3",
        "c",
        "cpp",
        "c++",
        "go",
        "golang",
        "js",
        "javascript",
        "ts",
        "typescript",
        "php",
    }
)
TEXT_LANGS = frozenset(
    {
        "text",
        "txt",
        "plain",
        "plaintext",
        "output",
        "log",
        "diagram",
        "ascii",
        "csv",
        "tsv",
        "none",
        "nohighlight",
    }
)
MAX_CALLS = 4


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    start: int
    end: int


def key_calls(code: str, lang: str = "rust") -> list[Call]:
    """Calls worth learning, with their span in the code: `TcpListener::bind`, `.recv_from(`."""
    masked = _STRING.sub(lambda m: " " * len(m.group()), code)
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), masked)
    calls: list[Call] = []
    taken: list[range] = []
    patterns = [_PATH_CALL, _METHOD_CALL] + ([_FUNC_CALL] if lang in FUNC_LANGS else [])
    for pattern in patterns:
        for m in pattern.finditer(masked):
            name = m.group(1)
            if pattern is not _PATH_CALL and name in GENERIC_CALLS:
                continue
            if name.split("::")[0] in ("Ok", "Err", "Some", "String", "Vec", "Box"):
                continue
            span = range(m.start(1), m.end(1))
            if any(span.start in t for t in taken):
                continue
            taken.append(span)
            calls.append(Call(name, m.start(1), m.end(1)))
    return sorted(calls, key=lambda c: c.start)


def _elsewhere(code: str, call: Call) -> bool:
    """Whether the hidden name can be read elsewhere in the listing."""
    rest = code[: call.start] + code[call.end :]
    last = call.name.split("::")[-1]
    # case aside: `use tasks::Eat;` gives `.eat()` away
    return re.search(rf"(?<![\w]){re.escape(last)}(?![\w])", rest, re.I) is not None


MAX_CLOZE_LINES = 12
_PLACEHOLDER = re.compile(
    r"foo|bar|baz|qux|quux|my_?\w*|\w*_name|example\w*|some_?\w+|your_?\w+|do_?something|"
    r"func|function|method|fn|[a-z]",
    re.I,
)
"""A name the example made up (`function_name()`, `foo()`, `my_func()`): nothing to learn."""


def call_questions(
    bank: QuestionBank, out: Outcomes, snippet: Snippet, family: tuple[str, ...]
) -> int:
    code = snippet.shown_code
    lines = code.strip("\n").count("\n") + 1
    if lines > MAX_CLOZE_LINES:
        out.skip(
            snippet,
            f"code of {lines} lines: too long to show on a card; split it into short snippets",
        )
        return 0
    label = plain(snippet.label)
    calls = [c for c in key_calls(code, snippet.lang) if not _elsewhere(code, c)]
    calls = [c for c in calls if not gives_away(label, c.name.split("::")[-1])]
    calls = [c for c in calls if not _PLACEHOLDER.fullmatch(c.name.split("::")[-1])]
    if not calls:
        return 0
    ranked = sorted(calls, key=lambda c: ("::" not in c.name, c.start))[:MAX_CALLS]
    note = make_key(
        bank.sheet_name,
        snippet.section,
        snippet.label,
        "code",
        snippet.lang or "text",
        str(snippet.pos.line),
    )
    seen: Counter[str] = Counter()
    for call in sorted(ranked, key=lambda c: c.start):
        seen[call.name] += 1
        suffix = (str(seen[call.name]),) if seen[call.name] > 1 else ()
        out.add(
            snippet,
            Question(
                make_key(
                    bank.sheet_name, snippet.section, snippet.label, "call", call.name, *suffix
                ),
                "snippet_call",
                "snippet",
                f"{snippet.label}: which call is missing?",
                code_span(call.name),
                snippet.label,
                snippet.pos,
                snippet.section,
                style="cloze",
                code=code,
                code_blank=(call.start, call.end),
                lang=snippet.lang,
                family=family,
                note=note,
            ),
        )
    return len(ranked)


_OUTPUT_LINE = re.compile(r"^\s*(?:#|//|--)\s*(?:=>|→|#=>)\s?(.*)$")
_NOTE = re.compile(r"^([^\n]*?\S)[ \t]+\(([^()\n]{2,40})\)$")


def _outputs(lines: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """(line index, what it prints) for each line whose result the sheet shows, and the code
    with those results taken out."""
    found: dict[int, list[str]] = {}
    clean: list[str] = []
    last = -1
    for i, line in enumerate(lines):
        whole = _OUTPUT_LINE.match(line)
        if whole and last >= 0:
            found.setdefault(last, []).append(whole.group(1).strip())
            clean.append("")
            continue
        m = _OUTPUT_COMMENT.search(line) if not line.lstrip().startswith(("#", "//")) else None
        if m and line[: m.start()].strip():
            found.setdefault(i, []).append(m.group(1).strip())
            clean.append(line[: m.start()].rstrip())
            last = i
            continue
        clean.append(line)
        if line.startswith(">>> ") and i + 1 < len(lines):
            result = _repl_output(lines, i + 1)
            if result:
                found.setdefault(i, []).append(result)
        if line.strip() and not line.lstrip().startswith(("#", "//")):
            last = i
    return [(i, "\n".join(out)) for i, out in sorted(found.items()) if len(out) <= 3], clean


_SHELL_SYNTAX = re.compile(
    r"\$\((?:[^()]|\([^()]*\))*\)|\$\{[^}\n]+\}|\{\w+\.\.\w+(?:\.\.\w+)?\}|\{[\w.]+(?:,[\w.]+)+\}"
    r"|\[\[\s+[^\]\n]+\s+\]\]|\(\([^()\n]+\)\)|<<<|2>&1|&>|<\([^()\n]+\)|&&|\|\|"
)
"""Shell constructs worth recalling: `$(cmd)`, `${var:-x}`, `{1..5}`, `{a,b}`, `[[ … ]]`,
`(( … ))`, `<<<`, `2>&1`, `<(cmd)`, `&&`, `||`."""


def _names_unset_variable(construct: str, code: str) -> bool:
    """`${!sounds[@]}` in a script that shows `sounds` nowhere else: the learner cannot know the
    name."""
    used = set(re.findall(r"\$\{?[!#]?([A-Za-z_]\w*)", construct))
    code = code.replace(construct, " ")
    return any(
        not re.search(rf"(?<![\w$]){v}\b|\$\{{?[!#]?{v}\b", code)
        for v in used - {"HOME", "PATH", "PWD", "USER", "RANDOM", "BASH_SOURCE", "IFS"}
    )


def syntax_questions(bank: QuestionBank, out: Outcomes, snippet: Snippet) -> int:
    """A short shell script under a heading that names what it shows: the construct hidden,
    the rest of the script shown (`Ranges: for i in [...]; do`)."""
    code = snippet.shown_code
    if code.strip("\n").count("\n") >= 8:
        return 0
    label = plain(snippet.label)
    if not label or is_label(label):
        return 0
    found: list[re.Match[str]] = []
    for m in _SHELL_SYNTAX.finditer(code):
        line_start = code.rfind("\n", 0, m.start()) + 1
        if code[line_start : m.start()].lstrip().startswith("#"):
            continue
        if code.count(m.group(0)) > 1 or any(m.start() < f.end() for f in found):
            continue
        if len(m.group(0)) > 30 or _names_unset_variable(m.group(0), code):
            continue  # a pipeline to retype, or a name set in another block: not recallable
        found.append(m)
        if len(found) == 2:
            break
    note = make_key(
        bank.sheet_name, snippet.section, snippet.label, "syntax", str(snippet.pos.line)
    )
    for m in found:
        out.add(
            snippet,
            Question(
                f"{note}/{norm(m.group(0))[:40]}",
                "snippet_syntax",
                "snippet",
                f"{snippet.label}: which part is missing?",
                code_span(m.group(0)),
                snippet.label,
                snippet.pos,
                snippet.section,
                style="cloze",
                code=code,
                code_blank=(m.start(), m.end()),
                lang=snippet.lang,
                note=note,
            ),
        )
    return len(found)


def output_questions(bank: QuestionBank, out: Outcomes, snippet: Snippet) -> int:
    """`>>> expr` then its output, `expr  #=> output`, or `#=> output` on the next line:
    what does the line give?"""
    lines = snippet.shown_code.rstrip("\n").split("\n")
    asked, clean = _outputs(lines)
    if not snippet.lang or snippet.lang in TEXT_LANGS:
        asked = [(i, out) for i, out in asked if lines[i].startswith(">>> ")]
    made = 0
    for i, result in asked[:6]:
        note = ""
        if m := _NOTE.match(result):
            result, note = m.group(1), m.group(2)
        if word_count(result) > 10 or len(result) > 80 or not result.strip():
            continue
        if result.strip() in ("True", "False", "None", "true", "false", "null", "nil"):
            continue  # a yes/no a learner guesses half the time
        if re.match(r"<[\w.]+(?: object|\b[^>]*\bat 0x)", result.strip()):
            continue  # `<re.Match object; span=…>`: a repr nobody recalls character by character
        if _undefined_shell_variable(clean[: i + 1], snippet.lang):
            continue
        end = i + 1
        while end < len(lines) and lines[end].startswith("... ") and lines[end].strip() != "...":
            end += 1  # the statement's continuation lines belong to it
        context = "\n".join(line for line in clean[:end] if line.strip() or line == "")
        context = re.sub(r"\n{3,}", "\n\n", context).strip("\n")
        if context.count("\n") >= 10:
            continue  # a long listing before the line: the card would be mostly noise
        shown_before = "\n".join(clean[:i])
        if result.strip() and result.strip() in shown_before:
            continue  # an earlier line's output already shows it
        literal = re.search(
            r"""(?:echo|print|puts|console\.log|println!?)\W+["']([^"']*)["']""", clean[i]
        )
        if literal and literal.group(1) == result.strip("\"'"):
            continue
        out.add(
            snippet,
            Question(
                make_key(
                    bank.sheet_name, snippet.section, snippet.label, "output", lines[i].strip()[:60]
                ),
                "snippet_output",
                "snippet",
                f"{snippet.label}: what does the last "
                f"{'statement' if end > i + 1 else 'line'} give?",
                code_span(result),
                snippet.label,
                snippet.pos,
                snippet.section,
                code=context,
                lang=snippet.lang,
                explanation=note,
            ),
        )
        made += 1
    return made


def _undefined_shell_variable(lines: list[str], lang: str) -> bool:
    """A shell line that reads `$name` when the card never shows where `name` is set."""
    from cardgen.model import SHELL_LANGS

    if lang not in SHELL_LANGS:
        return False
    text = "\n".join(lines)
    used = set(re.findall(r"\$\{?([A-Za-z_]\w*)", lines[-1] if lines else ""))
    return any(
        not re.search(rf"(?:^|[\s;]){v}=", text, re.M)
        for v in used - {"HOME", "PATH", "PWD", "USER"}
    )


def _is_output(line: str) -> bool:
    return not _REPL.match(line)


def _repl_output(lines: list[str], start: int) -> str:
    """The output after a `>>>` line, up to the next prompt; a traceback gives its last line."""
    result: list[str] = []
    for line in lines[start:]:
        if line.startswith((">>>",)):
            break
        if line.startswith("..."):
            if result:
                break
            continue
        text = line.strip()
        if text.startswith("# "):
            text = text[2:]
        if text:
            result.append(text)
    if not result:
        return ""
    if result[0].startswith("Traceback"):
        return result[-1]
    return "\n".join(result) if len(result) <= 3 else ""


def command_cards(
    bank: QuestionBank,
    out: Outcomes,
    owner: Snippet | Command,
    commands: list[tuple[ShellCommand, str]],
    family: tuple[str, ...],
) -> int:
    """Each command asked by what it does (and where, when the sheet says)."""
    groups: dict[tuple[str, str], list[tuple[ShellCommand, str]]] = defaultdict(list)
    for cmd, description in commands:
        groups[(norm(description), (cmd.platform or "").lower())].append((cmd, description))
    made = 0
    for members in groups.values():
        usable: list[tuple[ShellCommand, str]] = []
        for cmd, description in members:
            if not description or is_label(description) or is_sample(description):
                out.skip(
                    owner,
                    "a command with nothing saying what it does: add a `# comment` above it",
                    cmd.pos.line,
                )
            elif not _describes(description):
                out.skip(
                    owner,
                    f"'{plain(description)[:40]}' does not say what the command does",
                    cmd.pos.line,
                )
            elif not _looks_like_command(cmd.command):
                out.skip(owner, "not a command line (file contents or output)", cmd.pos.line)
            elif len(tidy_command(cmd.command)) > 90 or cmd.command.count("\n") > 4:
                out.skip(owner, "a command too long to recall", cmd.pos.line)
            else:
                usable.append((cmd, description))
        tools = [_tool(c.command) for c, _ in usable]
        if len(usable) > 3 or len(set(tools)) < len(tools):
            for cmd, _ in usable:
                out.skip(
                    owner,
                    "several commands share this description (a recipe, not one fact): "
                    "give each its own `# comment`",
                    cmd.pos.line,
                )
            continue
        if not usable:
            continue
        cmd, description = usable[0]
        tool_name = (_tool(cmd.command) or "").lower()
        if tool_name and content_words(description) <= {tool_name}:
            out.skip(owner, "the description is the command's name: nothing to ask", cmd.pos.line)
            continue
        if all(_rewords_command(description, c.command) for c, _ in usable):
            out.skip(
                owner,
                "the description says the command's own words: the card would be trivial",
                cmd.pos.line,
            )
            continue
        prompt = f"Which command: {lower_first(strip_end(plain(description)))}"
        tool = _tool(cmd.command)
        named = plain(" ".join([bank.sheet_title, *owner.section, description])).lower()
        if len({_tool(c.command) for c, _ in usable}) == 1 and tool and tool.lower() not in named:
            if not _more_than_the_tool(cmd.command):
                out.skip(owner, "the command is its tool and sample arguments only", cmd.pos.line)
                continue
            prompt = (
                f"Which {code_span(tool)} command: {lower_first(strip_end(plain(description)))}"
            )
        elif (
            tool
            and re.search(rf"(?<!\w){re.escape(tool.lower())}(?!\w)", plain(description).lower())
            and not any(_more_than_the_tool(c.command) for c, _ in usable)
        ):
            out.skip(
                owner,
                "the description names the command, and the rest is sample arguments",
                cmd.pos.line,
            )
            continue
        if cmd.platform:
            prompt += f" (on {cmd.platform})"
        answers = [code_span(tidy_command(c.command)) for c, _ in usable]
        if any(gives_away(prompt + "?", a) for a in answers):
            out.skip(owner, "the description contains the command", cmd.pos.line)
            continue
        out.add(
            owner,
            Question(
                make_key(
                    bank.sheet_name,
                    owner.section,
                    plain(description),
                    cmd.platform or "any",
                    "command",
                ),
                "command",
                owner.kind if isinstance(owner, Command) else "snippet",
                prompt + "?",
                " or ".join(answers),
                plain(description),
                cmd.pos,
                owner.section,
                family=family,
                explanation="either one" if len(answers) > 1 else "",
            ),
        )
        made += 1
    return made


_CONNECTOR = re.compile(r"^(?:or|and|for|with|to|then|also|but|if|in|on|using|via)\b", re.I)


def _describes(description: str) -> bool:
    """A description a learner can answer from: says what is done, not `or with jq installed`."""
    text = plain(description).strip()
    if re.search(r"https?://|www\.", text):
        return False
    return bool(text) and not text.endswith("?") and not _CONNECTOR.match(text) and len(text) > 3


def _looks_like_command(command: str) -> bool:
    """`docker ps -a`, `./run.sh`, `sudo ip link`: a program and its arguments, not
    `version: 2` (a file's contents) or `Key = value`."""
    first = command.split()[0] if command.split() else ""
    if first.endswith(":") or (len(command.split()) > 1 and command.split()[1] in ("=", ":")):
        return False
    if first.endswith(",") or (first[:1].isupper() and command.rstrip().endswith(("!", "."))):
        return False  # `Hello, World!`: what the program printed
    return bool(re.match(r"^(?:[\w./~+-]+|\$\w+|\(|\{|\[)", first))


def _rewords_command(description: str, command: str) -> bool:
    """`revert commit` → `git revert`: the description already says the subcommand."""
    from cardgen.questions.text import _stem

    tokens = plain(command).split()
    if tokens[:1] == ["sudo"]:
        tokens = tokens[1:]
    said = content_words(description)
    rest = [t.strip("'\"").lstrip("-").lower() for t in tokens[1:]]
    rest = [t for t in rest if t and not _SAMPLE_ARG.match(t)]
    words = [t for t in rest if re.fullmatch(r"[a-z][a-z-]{2,}", t)]
    if not words or len(words) != len(rest):
        return False  # a short flag or an argument to learn: more than the description says
    return all(_stem(w) in said or any(_stem(p) in said for p in w.split("-")) for w in words)


_SAMPLE_ARG = re.compile(
    r"^(?:[\w-]+(?:\.[\w-]+)+|https?://\S+|\d[\d.:/]*|<[^>]+>|\{\{[^}]+\}\}|[A-Z_]{2,}|"
    r"~?\.?/[\w./-]*|\$\w+|my[_-]?\w+)$"
)


def _more_than_the_tool(command: str) -> bool:
    """Whether a command says more than its tool and sample arguments (a flag, a subcommand)."""
    rest = command.split()[1:]
    if command.split()[:1] == ["sudo"]:
        rest = rest[1:]
    return any(not _SAMPLE_ARG.match(word.strip("'\"")) for word in rest)


def _tool(command: str) -> str:
    words = command.split()
    if words and words[0] == "sudo" and len(words) > 1:
        return words[1]
    return words[0] if words else ""


def tidy_command(command: str) -> str:
    """tldr's `{{[-a|--all]}}` (short or long option) → `-a`."""
    return re.sub(r"\{\{\[([^|\]]+)\|[^\]]*\]\}\}", r"\1", command).strip()


TASK_VERBS = frozenset(
    """show list display view count find search remove delete kill stop start restart check
    print get set create add update install uninstall upgrade download upload copy move rename
    compare filter sort capture scan test query flush release renew clone fetch pull push merge
    rebase commit tag reset revert stash login logout mount unmount attach detach enable disable
    open close connect send receive read write edit save load export import run execute build
    compile watch follow tail trace ping resolve lookup inspect describe scale apply expose
    forward exec switch change convert format extract compress archive split join generate
    verify sign encrypt decrypt monitor measure limit allow deny block give turn use make
    increase decrease reload clean prune purge clear display navigate go return discard undo
    redo append replace rewrite squash cherry-pick bisect log diff grep bind listen accept
    configure define declare initialize create""".split()
)


def is_task(text: str) -> bool:
    """`Show all pods`, `Creating a TCP server`: words that say what is done, not a topic
    (`CPU Constraints`, `macOS`)."""
    if re.search(r"\b(?:vs\.?|versus)\b", plain(text), re.I):
        return False
    first = plain(text).split()[0].lower() if plain(text).split() else ""
    first = re.sub(r"[^a-z-]", "", first)
    stem = first[:-3] if first.endswith("ing") else first
    return first in TASK_VERBS or stem in TASK_VERBS or stem + "e" in TASK_VERBS


def snippet_commands(snippet: Snippet) -> list[tuple[ShellCommand, str]]:
    """Each command with its description: its own comment, or the snippet's label. A heading
    describes its commands only when it says what they do (`Show all pods`), not when it
    names a topic (`CPU Constraints`)."""
    label = plain(snippet.label)
    from_heading = bool(snippet.section) and norm(label) == norm(snippet.section[-1])
    usable = label if (is_task(label) or not from_heading) else ""
    return [(cmd, cmd.description or usable) for cmd in snippet.commands]


_LONG_OPTION = re.compile(r"^(--[\w-]+)(?:[ =]<?\w+>?)?\s*[:–-]?\s*")


def option_cards(
    bank: QuestionBank, out: Outcomes, snippet: Snippet, options: list[ShellCommand]
) -> int:
    """`-i   # --include: Include the HTTP header`: an option and what it does."""
    from cardgen.questions.facts import SLOT, Fact, emit

    tool = plain(bank.sheet_title)
    names = tuple(code_span(o.command) for o in options)
    texts = tuple(o.description for o in options)
    made = 0
    for option in options:
        text = option.description
        long = _LONG_OPTION.match(text)
        explanation = ""
        if long:
            explanation, text = long.group(1), text[long.end() :]
        if not text.strip():
            out.skip(snippet, "an option with nothing saying what it does", option.pos.line)
            continue
        name = code_span(option.command)
        fact = Fact(
            block=snippet,
            key=make_key(bank.sheet_name, snippet.section, "option", option.command),
            name=name,
            text=text,
            pos=option.pos,
            section=snippet.section,
            context=tool,
            forward=f"{tool}: what does {name} do?",
            reverse=f"{tool}: which option {SLOT}?"
            if re.match(r"^[a-z]+s\b", text)
            else f"{tool}: which option: {SLOT}?",
            kind="option",
            family=texts,
            names=names,
        )
        q = emit(out, fact)
        if q is not None:
            made += 1
            if explanation:
                out.made[id(snippet)][-1] = replace(
                    q, explanation=f"long form: {code_span(explanation)}"
                )
                bank.questions[-1] = out.made[id(snippet)][-1]
    return made


def snippet_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    snippets = sheet.of_kind(Snippet)
    family = tuple(
        dict.fromkeys(code_span(c.name) for s in snippets for c in key_calls(s.shown_code, s.lang))
    )
    commands = tuple(code_span(tidy_command(c.command)) for s in snippets for c in s.commands)
    commands += tuple(b.command for b in sheet.of_kind(Command))
    for snippet in snippets:
        lang = snippet.lang
        if lang in TEXT_LANGS or (not lang and not snippet.commands):
            if not output_questions(bank, out, snippet):
                out.skip(snippet, "text or output, not code: nothing to ask")
            continue
        made = output_questions(bank, out, snippet)
        options = [c for c in snippet.commands if c.command.startswith("-")]
        if options and len(options) * 2 >= len(snippet.commands):
            made += option_cards(bank, out, snippet, options)
        elif snippet.commands and not is_script(snippet.commands):
            made += command_cards(bank, out, snippet, snippet_commands(snippet), commands)
        elif lang in CODE_LANGS or snippet.commands:
            made += call_questions(bank, out, snippet, family)
        if not made and snippet.lang in SHELL_LANGS:
            made += syntax_questions(bank, out, snippet)
        if not made and not out.reasons.get(id(snippet)):
            out.skip(
                snippet,
                "no call, command or printed result to ask: label a one-line command with what "
                "it does, or show what a line prints (`#=> …`)",
            )
    for block in sheet.of_kind(Command):
        cmd = ShellCommand(None, block.command.strip("`"), block.pos, block.description)
        command_cards(bank, out, block, [(cmd, block.description)], commands)
