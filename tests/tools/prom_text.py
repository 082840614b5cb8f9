#!/usr/bin/env python3
"""Checks and queries Prometheus text exposition format 0.0.4 (promtool is not available here).

  prom_text.py check FILE                 exit 0 if FILE follows the format, else print each
                                          problem (line number first) and exit 1
  prom_text.py value FILE NAME [L=V ...]  print the value of every sample NAME whose labels
                                          include each L=V (one per line, nothing if none)

The rules checked are those of the format's specification (prometheus.io, "Exposition formats"):
metric and label names, label value escapes, float values, at most one HELP and one TYPE per
family with TYPE before its samples, a family's samples together, sample names that fit the
family's type (summary: NAME, NAME_sum, NAME_count, with a quantile label on NAME), no series
twice, and a final newline.
"""
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "summary", "histogram", "untyped"}


def parse_float(text):
    if text in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"not a float: {text!r}")
    return float(text)


def parse_sample(line):
    """(name, [(label, value)], value) or raises ValueError."""
    m = METRIC_NAME.match(line)
    if not m:
        raise ValueError("no metric name")
    name, i = m.group(0), m.end()
    labels = []
    if i < len(line) and line[i] == "{":
        i += 1
        while True:
            if line[i] == "}":
                i += 1
                break
            m = LABEL_NAME.match(line, i)
            if not m:
                raise ValueError(f"bad label name at column {i + 1}")
            label, i = m.group(0), m.end()
            if line[i:i + 2] != '="':
                raise ValueError(f'expected =" after label {label}')
            i += 2
            value = []
            while True:
                if i >= len(line):
                    raise ValueError(f"unterminated value of label {label}")
                c = line[i]
                if c == "\\":
                    nxt = line[i + 1:i + 2]
                    if nxt not in ("\\", '"', "n"):
                        raise ValueError(f"bad escape \\{nxt} in label {label}")
                    value.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    value.append(c)
                    i += 1
            labels.append((label, "".join(value)))
            if line[i] == ",":
                i += 1
            elif line[i] != "}":
                raise ValueError(f"expected , or }} after label {label}")
    rest = line[i:]
    if not rest.startswith(" "):
        raise ValueError("expected a space before the value")
    parts = rest.split()
    if len(parts) not in (1, 2):
        raise ValueError("expected a value and an optional timestamp")
    value = parse_float(parts[0])
    if len(parts) == 2 and not re.fullmatch(r"-?\d+", parts[1]):
        raise ValueError(f"bad timestamp {parts[1]!r}")
    return name, labels, value


def family_of(name, types):
    for suffix in ("_sum", "_count", "_bucket"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("summary", "histogram"):
            if suffix == "_bucket" and types[base] != "histogram":
                return name
            return base
    return name


def check(text):
    problems = []
    if text and not text.endswith("\n"):
        problems.append("end: no final newline")
    helps, types, done, seen = set(), {}, set(), set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not METRIC_NAME.fullmatch(name):
                    problems.append(f"{n}: bad metric name {name!r}")
                if parts[1] == "HELP":
                    if name in helps:
                        problems.append(f"{n}: second HELP for {name}")
                    helps.add(name)
                else:
                    if name in types:
                        problems.append(f"{n}: second TYPE for {name}")
                    kind = parts[3] if len(parts) == 4 else ""
                    if kind not in TYPES:
                        problems.append(f"{n}: unknown type {kind!r}")
                    if name in done or name == current:
                        problems.append(f"{n}: TYPE for {name} after its samples")
                    types[name] = kind
            continue
        if not line.strip():
            continue
        try:
            name, labels, _ = parse_sample(line)
        except (ValueError, IndexError) as e:
            problems.append(f"{n}: {e}: {line}")
            continue
        family = family_of(name, types)
        if family != current:
            if family in done:
                problems.append(f"{n}: samples of {family} are not together")
            if current is not None:
                done.add(current)
            current = family
        names = [label for label, _ in labels]
        if len(set(names)) != len(names):
            problems.append(f"{n}: a label given twice: {line}")
        if types.get(family) == "summary" and name == family and "quantile" not in names:
            problems.append(f"{n}: summary sample without quantile: {line}")
        key = (name, tuple(sorted(labels)))
        if key in seen:
            problems.append(f"{n}: series given twice: {line}")
        seen.add(key)
    return problems


def values(text, name, wanted):
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        sample, labels, value = parse_sample(line)
        if sample == name and all(item in labels for item in wanted):
            out.append(value)
    return out


def main(argv):
    if len(argv) >= 3 and argv[1] == "check":
        with open(argv[2], encoding="utf-8") as f:
            problems = check(f.read())
        for p in problems:
            print(p)
        return 1 if problems else 0
    if len(argv) >= 4 and argv[1] == "value":
        with open(argv[2], encoding="utf-8") as f:
            text = f.read()
        wanted = [tuple(a.split("=", 1)) for a in argv[4:]]
        for v in values(text, argv[3], wanted):
            print(int(v) if v.is_integer() else repr(v))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
