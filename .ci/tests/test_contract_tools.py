"""Unit tests of the contract scripts' own logic (run by
.ci/contract-breaking.sh before it judges, and by
`python3 -m unittest discover -s .ci/tests`)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import changelog_breaking  # noqa: E402
import contract_lint_report  # noqa: E402

BASE = """# Changelog

## Unreleased

### Breaking changes

### Added

- A new field.
"""


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class ChangelogDeclarations(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.base = write(self.dir, "base.md", BASE)

    def new_bullets(self, head_text):
        head = write(self.dir, "head.md", head_text)
        out = subprocess.run([sys.executable, changelog_breaking.__file__, self.base, head],
                             capture_output=True, text=True, check=True).stdout
        return [line for line in out.splitlines() if line]

    def test_a_new_bullet_under_breaking_changes_is_a_declaration(self):
        head = BASE.replace("### Breaking changes\n", "### Breaking changes\n\n- `list` renamed `listOrganizations`.\n")
        self.assertEqual(self.new_bullets(head), ["`list` renamed `listOrganizations`."])

    def test_a_bullet_under_another_heading_is_not_a_declaration(self):
        head = BASE.replace("- A new field.", "- A new field.\n- Another field.")
        self.assertEqual(self.new_bullets(head), [])

    def test_a_bullet_the_base_already_had_is_not_a_new_declaration(self):
        with_one = BASE.replace("### Breaking changes\n", "### Breaking changes\n\n- Old break.\n")
        self.base = write(self.dir, "base.md", with_one)
        self.assertEqual(self.new_bullets(with_one), [])

    def test_the_breaking_section_ends_at_the_next_heading_of_its_level(self):
        head = BASE + "\n## 0.1.0\n\n- Released.\n"
        self.assertEqual(self.new_bullets(head), [])

    def test_a_missing_changelog_declares_nothing(self):
        self.assertEqual(changelog_breaking.breaking_bullets(os.path.join(self.dir, "none.md")), [])


class LintReport(unittest.TestCase):
    def test_an_operation_pointer_is_named_by_method_and_path(self):
        self.assertEqual(contract_lint_report.where(["paths", "/api/v1/blocs", "get", "operationId"]), "GET /api/v1/blocs")

    def test_a_component_pointer_is_named_by_its_component(self):
        self.assertEqual(contract_lint_report.where(["components", "schemas", "PledgeSummary"]),
                         "components.schemas.PledgeSummary")

    def test_findings_of_either_tool_fail_the_report_and_none_pass_it(self):
        d = tempfile.mkdtemp()
        clean_r = write(d, "r.json", json.dumps({"totals": {}, "problems": []}))
        clean_s = write(d, "s.json", "No results with a severity of 'error' found!")
        dirty_s = write(d, "s2.json", json.dumps([{"code": "oas3-api-servers", "path": [], "message": "m", "severity": 1}]))
        run = lambda r, s: subprocess.run([sys.executable, contract_lint_report.__file__, r, s],
                                          capture_output=True, text=True).returncode
        self.assertEqual(run(clean_r, clean_s), 0)
        self.assertEqual(run(clean_r, dirty_s), 1)


if __name__ == "__main__":
    unittest.main()
