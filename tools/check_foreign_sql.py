#!/usr/bin/env python3
"""Fails on an SQL write into a table the addon does not own.

The addon writes other modules' data only through their ORM (create / write / unlink,
message_post_with_source, ...): their constraints, computed fields and hooks must run on our
documents too. This check lists every INSERT INTO / UPDATE / DELETE FROM / TRUNCATE of a table
named account_*, mail_*, message_*, res_*, ir_*, payment_*, calendar_*, helpdesk_*, hr_*,
analytic_* or sale_* in the addon's Python files, outside migrations/ (an upgrade script may
move data) and tests/. Set-based writes into the addon's own rsb_* tables are fine.

Usage: python tools/check_foreign_sql.py [paths...]   (default: remote_support_billing)
Exit 1 with "file:line: statement" per hit.
"""

import pathlib
import re
import sys

FOREIGN = r"(account|mail|message|res|ir|payment|calendar|helpdesk|hr|analytic|sale)_\w+"
WRITE = re.compile(
    rf"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+\"?{FOREIGN}\"?",
    re.IGNORECASE,
)
SKIP_PARTS = {"migrations", "tests"}


def hits(path):
    text = path.read_text(encoding="utf-8")
    for match in WRITE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield line, " ".join(match.group(0).split())


def main(argv):
    roots = [pathlib.Path(arg) for arg in argv] or [pathlib.Path("remote_support_billing")]
    found = 0
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if SKIP_PARTS & set(path.parts):
                continue
            for line, statement in hits(path):
                print(f"{path}:{line}: {statement} (write through the ORM instead)")
                found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
