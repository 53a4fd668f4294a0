#!/usr/bin/env python3
"""The CI examples of docs/ci/ (docs/ci.md) as a unit test: every file parses
as YAML, and every `netlab COMMAND --option` it runs is a command in
`netlab --help` with that option in `netlab COMMAND --help`.

usage: check_examples.py DOCS_CI_DIR NETLAB_BINARY
"""
import pathlib
import re
import subprocess
import sys

import yaml

# `netlab`, `build/netlab` or `/usr/bin/netlab` followed by a word: a command.
COMMAND = re.compile(r"(?:^|[\s;&|(\"'])(?:[\w.-]*/)*netlab[ \t]+([a-z][a-z-]*)")
OPTION = re.compile(r"(?:^|\s)(--[a-z][a-z-]*)")


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def help_text(netlab, *args):
    return subprocess.run([netlab, *args, "--help"], capture_output=True, text=True, check=True).stdout


def main():
    folder, netlab = pathlib.Path(sys.argv[1]), sys.argv[2]
    top = help_text(netlab)
    commands = set(re.findall(r"^\s+([a-z][a-z-]*)\s", top, re.M))
    files = sorted(folder.glob("*.yml"))
    if not files:
        sys.exit(f"no .yml file in {folder}")
    bad = []
    for f in files:
        try:
            docs = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
        except yaml.YAMLError as e:
            bad.append(f"{f.name}: not YAML: {e}")
            continue
        if not docs:
            bad.append(f"{f.name}: empty")
            continue
        ran = 0
        for s in (s for d in docs for s in strings(d)):
            for m in COMMAND.finditer(s):
                cmd = m.group(1)
                ran += 1
                if cmd not in commands:
                    bad.append(f"{f.name}: `netlab {cmd}` is not a command of netlab --help")
                    continue
                # The options up to the end of the shell command.
                rest = re.split(r"[;\n|&]", s[m.end():], maxsplit=1)[0]
                sub = help_text(netlab, cmd)
                for opt in OPTION.findall(rest):
                    if not re.search(re.escape(opt) + r"\b", sub):
                        bad.append(f"{f.name}: `netlab {cmd}` has no option {opt}")
        if ran == 0:
            bad.append(f"{f.name}: runs no netlab command")
        print(f"{f.name}: {len(docs)} document(s), {ran} netlab command(s)")
    for b in bad:
        print(b, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
