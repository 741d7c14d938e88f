"""The message catalogues' tools, with no dependency: extract, read ``.po``, write ``.mo``.

GNU gettext's ``xgettext``/``msgfmt`` are not on every machine (nor on PyPI), and a build
must need no network, so the three small jobs they would do live here. The tests use them
to fail when a message has no translation, when a translation loses or adds a placeholder,
or when the shipped ``.mo`` no longer matches its ``.po``; ``python -m bptui.catalogue``
rewrites the ``.po`` template entries and compiles the ``.mo`` files.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_FUNCS = {"_": 1, "N_": 1, "ngettext": 2}
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)(?:[:!][^{}]*)?\}(?!\})")


@dataclass
class Entry:
    """One message: its English text (and plural), its translation(s), where it is used."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    where: list[str] = field(default_factory=list)


def placeholders(text: str) -> set[str]:
    """The ``{named}`` placeholders of a message."""
    return set(PLACEHOLDER.findall(text))


def extract(root: Path = PACKAGE) -> dict[tuple[str, str | None], list[str]]:
    """Every literal message passed to ``_``, ``N_`` or ``ngettext`` under ``root``."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            count = _FUNCS.get(node.func.id)
            if count is None or len(node.args) < count:
                continue
            texts = node.args[:count]
            if not all(isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts):
                continue
            key = (texts[0].value, texts[1].value if count == 2 else None)
            found.setdefault(key, []).append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> dict[tuple[str, str | None], Entry]:
    """The entries of a ``.po`` file (the header entry, msgid "", is left out)."""
    entries: dict[tuple[str, str | None], Entry] = {}
    cur: dict[str, list[str]] = {}
    last: str | None = None

    def flush() -> None:
        if "msgid" in cur:
            msgid = "".join(cur["msgid"])
            plural = "".join(cur["msgid_plural"]) if "msgid_plural" in cur else None
            strs = sorted(k for k in cur if k.startswith("msgstr"))
            msgstr = ["".join(cur[k]) for k in strs] or [""]
            if msgid:
                entries[(msgid, plural)] = Entry(msgid, plural, msgstr)
        cur.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and cur:
                flush()
            continue
        if line.startswith('"'):
            if last is not None:
                cur[last].append(_unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and "msgid" in cur:
            flush()
        last = keyword.replace("[", "_").replace("]", "") if keyword.startswith("msgstr[") else keyword
        cur[last] = [_unquote(rest)]
    flush()
    return entries


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


HEADER = (
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=1; plural=0;\n"
)


def write_po(path: Path, entries: dict[tuple[str, str | None], Entry], language: str) -> None:
    """Write a ``.po`` file, entries sorted by where they are first used, stable for diffs."""
    lines = [
        f"# bptui messages, {language}. Terms: see docs/glossary.md.",
        'msgid ""',
        'msgstr ""',
        *[f'"{h}\\n"' for h in HEADER.rstrip("\n").split("\n")],
        f'"Language: {language}\\n"',
        "",
    ]
    for entry in entries.values():
        for where in entry.where[:3]:
            lines.append(f"#: {where}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.msgid_plural is not None:
            lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
            for i, s in enumerate(entry.msgstr):
                lines.append(f"msgstr[{i}] {_quote(s)}")
        else:
            lines.append(f"msgstr {_quote(entry.msgstr[0])}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def compile_mo(entries: dict[tuple[str, str | None], Entry], language: str) -> bytes:
    """The GNU ``.mo`` bytes for ``entries`` (only translated ones), as msgfmt writes them."""
    pairs: dict[bytes, bytes] = {b"": (HEADER + f"Language: {language}\n").encode()}
    for entry in entries.values():
        if not all(entry.msgstr):
            continue
        if entry.msgid_plural is not None:
            key = entry.msgid.encode() + b"\0" + entry.msgid_plural.encode()
            value = b"\0".join(s.encode() for s in entry.msgstr)
        else:
            key, value = entry.msgid.encode(), entry.msgstr[0].encode()
        pairs[key] = value
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    val_start = key_start + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + key_start]
        voffsets += [l2, o2 + val_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    return header + struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets) + ids + strs


def po_path(language: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / "bptui.po"


def update(language: str = "zh") -> list[str]:
    """Merge the extracted messages into the ``.po`` (keeping translations), compile the ``.mo``.

    Returns the messages that still have no translation.
    """
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = read_po(path) if path.exists() else {}
    merged: dict[tuple[str, str | None], Entry] = {}
    for key, where in extract().items():
        entry = old.get(key) or Entry(key[0], key[1], ["" ])
        entry.where = where
        merged[key] = entry
    write_po(path, merged, language)
    path.with_suffix(".mo").write_bytes(compile_mo(merged, language))
    return [e.msgid for e in merged.values() if not all(e.msgstr)]


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    missing = update(*(sys.argv[1:] or ["zh"]))
    print(f"{len(missing)} message(s) without a translation")
    for m in missing[:50]:
        print("  " + m)
