#!/usr/bin/env python3
"""Compare two pytest JUnit XML reports of the same peer tests (make peer-test).

    peer_compare.py WITHOUT.xml WITH.xml

WITHOUT.xml is the run on a database without remote_support_billing, WITH.xml the run on the
same database with it installed. Prints, per Odoo/OCA module, how many tests passed, failed,
errored and were skipped in each run, then lists every test that passed without the addon and
did not pass with it (failed, errored, skipped or missing). Exits 1 when there is one, 2 when
a report cannot be read or holds no test; 0 otherwise. Tests that fail in both runs (they
expect demo data, for instance) are listed for information and do not fail the comparison.
"""

import sys
import xml.etree.ElementTree as ET
from collections import Counter

OUTCOMES = ("passed", "failed", "error", "skipped")
TAIL = 25  # lines of each regression's traceback printed


def outcome(testcase):
    """passed / failed / error / skipped of one <testcase> element."""
    for child in testcase:
        if child.tag == "failure":
            return "failed"
        if child.tag == "error":
            return "error"
        if child.tag == "skipped":
            return "skipped"
    return "passed"


def short_name(classname):
    """The class name from its module on: pytest names a test after its file's path
    (work.odoo18.addons.account.tests.test_x.Class, or odoo.addons.account.tests...);
    this gives account.tests.test_x.Class."""
    parts = classname.split(".")
    if "tests" in parts[1:]:
        return ".".join(parts[parts.index("tests", 1) - 1 :])
    return classname


def module_of(classname):
    """The Odoo module a test belongs to: account for ...addons.account.tests.test_x.Class."""
    return short_name(classname).split(".")[0]


def read_report(path):
    """{(classname, name): outcome}, {(classname, name): failure text} of a JUnit XML report.
    A test reported twice (pytest adds a second <testcase> when the teardown errors after the
    call) keeps its worst outcome."""
    results, texts = {}, {}
    rank = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
    for testcase in ET.parse(path).getroot().iter("testcase"):
        key = (testcase.get("classname", ""), testcase.get("name", ""))
        result = outcome(testcase)
        if key not in results or rank[result] > rank[results[key]]:
            results[key] = result
            texts[key] = "\n".join(
                (child.text or child.get("message") or "")
                for child in testcase
                if child.tag in ("failure", "error")
            )
    return results, texts


def counts_by_module(results):
    counts = {}
    for (classname, _name), result in results.items():
        counts.setdefault(module_of(classname), Counter())[result] += 1
    return counts


def print_table(without, with_):
    before, after = counts_by_module(without), counts_by_module(with_)
    head = ["passed", "failed", "errors", "skipped"]
    cols = "  ".join(f"{h:>7}" for h in head)
    print(f"{'module':<26}{'without the addon':^{len(cols)}}  |  {'with the addon':^{len(cols)}}")
    print(f"{'':<26}{cols}  |  {cols}")
    total_b, total_a = Counter(), Counter()
    for module in sorted(set(before) | set(after)):
        b, a = before.get(module, Counter()), after.get(module, Counter())
        total_b.update(b)
        total_a.update(a)
        left = "  ".join(f"{b[o]:>7}" for o in OUTCOMES)
        right = "  ".join(f"{a[o]:>7}" for o in OUTCOMES)
        print(f"{module:<26}{left}  |  {right}")
    left = "  ".join(f"{total_b[o]:>7}" for o in OUTCOMES)
    right = "  ".join(f"{total_a[o]:>7}" for o in OUTCOMES)
    print(f"{'total':<26}{left}  |  {right}")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        without, _texts = read_report(argv[1])
        with_, texts = read_report(argv[2])
    except (OSError, ET.ParseError) as error:
        print(f"peer_compare: cannot read a report: {error}", file=sys.stderr)
        return 2
    if not without or not with_:
        print("peer_compare: a report holds no test: the run did not happen", file=sys.stderr)
        return 2

    print_table(without, with_)
    regressions = sorted(
        (key, with_.get(key, "missing"))
        for key, result in without.items()
        if result == "passed" and with_.get(key) != "passed"
    )
    both = sorted(
        key
        for key, result in without.items()
        if result in ("failed", "error") and with_.get(key) in ("failed", "error")
    )
    fixed = sorted(
        key
        for key, result in without.items()
        if result in ("failed", "error") and with_.get(key) == "passed"
    )
    if both:
        print(f"\nNot passing in either database ({len(both)}, not caused by the addon):")
        for classname, name in both:
            print(f"  {short_name(classname)}::{name}")
    if fixed:
        print(f"\nFailing without the addon, passing with it ({len(fixed)}):")
        for classname, name in fixed:
            print(f"  {short_name(classname)}::{name}")
    if regressions:
        print(f"\nFAIL: {len(regressions)} test(s) pass without the addon and not with it:")
        for (classname, name), result in regressions:
            print(f"  {result:<8} {short_name(classname)}::{name}")
        for key, result in regressions:
            text = texts.get(key, "").strip().splitlines()
            if text:
                print(f"\n--- {short_name(key[0])}::{key[1]} ({result}), last lines:")
                print("\n".join(text[-TAIL:]))
        return 1
    print("\nOK: every test that passes without the addon passes with it.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
