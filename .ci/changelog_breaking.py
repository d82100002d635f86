"""Bullets under a "Breaking changes" heading of CHANGELOG.md that the base's
CHANGELOG.md does not have, one a line (the breaking-change guard,
.ci/contract-breaking.sh, takes any of them as a declaration).

usage: changelog_breaking.py BASE_CHANGELOG HEAD_CHANGELOG
"""

import re
import sys

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+(\S.*)$")


def breaking_bullets(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    found = []
    level = None  # the level of the "Breaking" heading we are under
    for line in lines:
        h = HEADING.match(line)
        if h:
            depth, title = len(h.group(1)), h.group(2)
            if level is not None and depth <= level:
                level = None
            if title.lower().startswith("breaking"):
                level = depth
            continue
        if level is not None:
            b = BULLET.match(line)
            if b:
                found.append(b.group(1).strip())
    return found


def main():
    before = set(breaking_bullets(sys.argv[1]))
    for bullet in breaking_bullets(sys.argv[2]):
        if bullet not in before:
            print(bullet)


if __name__ == "__main__":
    main()
