"""PDFs of several records with any wkhtmltopdf build, and no blank "Oops!" when it fails.

Odoo prints the records of one PDF in one wkhtmltopdf call, one page source per record.
Only a build with patched Qt (the one Odoo supports) reads several sources: an unpatched one
(e.g. Debian's package) writes an empty file, which Odoo then fails to read. With such a build
each record is printed on its own and the PDFs are merged; an empty result is reported in
plain words, with what to install."""

import functools
import subprocess

from odoo import models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin


@functools.cache
def _has_patched_qt(binary):
    """Whether the wkhtmltopdf at `binary` is built with patched Qt (`--version` says so)."""
    if not binary:
        return False
    try:
        version = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "with patched qt" in version


def wkhtmltopdf_has_patched_qt():
    """Whether the wkhtmltopdf Odoo uses is built with patched Qt."""
    return _has_patched_qt(_get_wkhtmltopdf_bin())


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, **kwargs):
        if len(bodies) > 1 and not wkhtmltopdf_has_patched_qt():
            return merge_pdf(
                [
                    self._run_wkhtmltopdf(
                        [body], report_ref=report_ref, header=header, footer=footer, **kwargs
                    )
                    for body in bodies
                ]
            )
        content = super()._run_wkhtmltopdf(
            bodies, report_ref=report_ref, header=header, footer=footer, **kwargs
        )
        if not content:
            raise UserError(
                self.env._(
                    "The PDF could not be made: wkhtmltopdf returned an empty file. "
                    "Print the records one at a time, or ask your administrator to install "
                    "wkhtmltopdf 0.12.x with patched Qt (see the addon's README, PDF documents)."
                )
            )
        return content
