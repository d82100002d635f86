"""Print the Redocly and Spectral findings of .ci/contract-lint.sh grouped by
rule, each with where it is (an operation or a component, not a line
number), and exit 1 when either tool found anything (errors or warnings).

usage: contract_lint_report.py REDOCLY_JSON SPECTRAL_JSON
"""

import json
import sys
from collections import defaultdict

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


def where(parts):
    """`GET /api/v1/blocs`, `components.schemas.AuditEntry`, or `(document)`."""
    parts = [str(p) for p in parts]
    if len(parts) >= 3 and parts[0] == "paths" and parts[2] in METHODS:
        return f"{parts[2].upper()} {parts[1]}"
    if len(parts) >= 3 and parts[0] == "components":
        return ".".join(parts[:3])
    if not parts or parts == ["openapi"]:
        return "(document)"
    return ".".join(parts)


def redocly(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    found = []
    for p in data["problems"]:
        pointer = p["location"][0].get("pointer", "#/") if p.get("location") else "#/"
        parts = [unescape(t) for t in pointer.lstrip("#/").split("/") if t]
        severity = {"warn": "warning"}.get(p["severity"], p["severity"])
        found.append((p["ruleId"], severity, where(parts), p["message"]))
    return found


def spectral(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Spectral prints "No results with a severity of 'error' found!" as text
    # instead of a JSON array when there is nothing to report.
    data = json.loads(text) if text.lstrip().startswith("[") else []
    names = {0: "error", 1: "warning", 2: "info", 3: "hint"}
    return [(p["code"], names.get(p["severity"], str(p["severity"])), where(p["path"]), p["message"])
            for p in data]


def report(tool, found):
    by_rule = defaultdict(list)
    for rule, severity, at, message in found:
        by_rule[(severity, rule)].append((at, message))
    order = {"error": 0, "warning": 1, "info": 2, "hint": 3}
    print(f"-- {tool}")
    for (severity, rule), items in sorted(by_rule.items(), key=lambda kv: (order.get(kv[0][0], 9), -len(kv[1]), kv[0][1])):
        print(f"{severity:8} {rule:34} {len(items):4}  {items[0][1]}")
        for at in sorted({at for at, _ in items}):
            n = sum(1 for a, _ in items if a == at)
            print(f"{'':8} {'':34} {'':4}    {at}{f' (x{n})' if n > 1 else ''}")
    counts = defaultdict(int)
    for _, severity, _, _ in found:
        counts[severity] += 1
    summary = f"{tool}: {counts['error']} errors, {counts['warning']} warnings"
    extra = {k: v for k, v in counts.items() if k not in ("error", "warning")}
    if extra:
        summary += ", " + ", ".join(f"{v} {k}s" for k, v in sorted(extra.items()))
    print(summary)
    return summary, len(found)


def main():
    results = [report("redocly (recommended)", redocly(sys.argv[1])),
               report("spectral (spectral:oas)", spectral(sys.argv[2]))]
    print("== lint:", "; ".join(s for s, _ in results))
    sys.exit(1 if any(n for _, n in results) else 0)


if __name__ == "__main__":
    main()
