"""pytest-odoo imports Odoo's test framework before it turns Odoo's test mode on, which makes
Odoo log a misleading error with a stack trace; this filter drops that one record."""

import logging


class _ImportingTestFrameworkFilter(logging.Filter):
    def filter(self, record):
        return not str(record.msg).startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_ImportingTestFrameworkFilter())
