"""The addon's own PDFs carry their sender in their body: the formal dunning letter, the
statement of account and the deposit document show the company's name, address and logo
whatever the layout and the wkhtmltopdf build (an unpatched one drops the layout's header).
The documents are rendered to real PDFs (wkhtmltopdf) and read back with poppler's
`pdftotext` / `pdfimages`."""

import base64
import io
import shutil
import subprocess
from datetime import timedelta
from unittest import skipUnless
from unittest.mock import patch

import lxml.html
from PIL import Image

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport as BaseReport
from odoo.addons.remote_support_billing.report import ir_actions_report as rsb_report
from odoo.addons.remote_support_billing.report.ir_actions_report import (
    wkhtmltopdf_has_patched_qt,
)

from .dunning_common import RSBDunningCommon

PDFTOTEXT = shutil.which("pdftotext")
PDFIMAGES = shutil.which("pdfimages")


def _logo():
    """A small red PNG: the company's logo."""
    stream = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(stream, format="PNG")
    return base64.b64encode(stream.getvalue())


@tagged("post_install", "-at_install")
@skipUnless(
    PDFTOTEXT and PDFIMAGES,
    "pdftotext/pdfimages (poppler-utils) missing: tools/setup.sh installs them",
)
class TestPdfDocuments(RSBDunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Northwind Remote IT",
                "street": "42 Harbour Road",
                "city": "Portsmouth",
                "zip": "03801",
                "country_id": cls.env.ref("base.us").id,
                "logo": _logo(),
            }
        )
        cls.Report = cls.env["ir.actions.report"].with_context(force_report_rendering=True)

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed: tools/setup.sh installs it")

    # ------------------------------------------------------------------ helpers
    def _pdf(self, report_ref, ids, user=None):
        Report = self.Report.with_user(user) if user else self.Report
        content, kind = Report._render_qweb_pdf(report_ref, ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"), "wkhtmltopdf made no PDF")
        return content

    def _text(self, content):
        text = subprocess.run(
            [PDFTOTEXT, "-layout", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        if not text.strip() and not wkhtmltopdf_has_patched_qt():
            self.skipTest(
                "wkhtmltopdf without patched Qt draws the text as outlines: pdftotext reads "
                "nothing (tools/setup.sh installs the patched build)"
            )
        return " ".join(text.split())  # one line: addresses wrap differently per layout

    def _images(self, content):
        listing = subprocess.run(
            [PDFIMAGES, "-list", "-", "/dev/null"], input=content, capture_output=True
        )
        if listing.returncode:  # older poppler reads no stdin: use a file
            path = f"{self.env['ir.attachment']._filestore()}/rsb-test-images.pdf"
            with open(path, "wb") as f:
                f.write(content)
            listing = subprocess.run([PDFIMAGES, "-list", path], capture_output=True, check=True)
        return listing.stdout.decode().splitlines()[2:]  # two header lines

    def _assert_sender(self, content, times=1):
        text = self._text(content)
        self.assertGreaterEqual(text.count("Northwind Remote IT"), times, text)
        self.assertIn("42 Harbour Road", text)
        self.assertIn("Portsmouth", text)
        self.assertIn("03801", text)
        self.assertTrue(self._images(content), "the company's logo is not in the PDF")
        return text

    def _assert_body_block(self, report_ref, ids):
        """The sender is in each document's body (the "article" wkhtmltopdf prints as the
        page), not only in the layout's header."""
        html = self.Report._render_qweb_html(report_ref, ids)[0]
        blocks = lxml.html.fromstring(html).xpath(
            "//div[contains(@class, 'article')]//div[contains(@class, 'o_rsb_company_block')]"
        )
        self.assertEqual(len(blocks), len(ids))
        for block in blocks:
            text = " ".join(block.text_content().split())
            self.assertIn("Northwind Remote IT", text)
            self.assertIn("42 Harbour Road", text)
            self.assertTrue(block.xpath(".//img[starts-with(@src, 'data:image/png;base64')]"))

    def _letters(self):
        self._create_invoice(self.client_a, 400.0, self.TODAY - timedelta(days=31))
        self._create_invoice(self.client_b, 200.0, self.TODAY - timedelta(days=31))
        run = self._run()
        lines = run.line_ids.filtered("level_id.send_letter")
        self.assertEqual(lines.partner_id, self.client_a | self.client_b)
        return lines

    # ------------------------------------------------------------------ the documents
    def test_dunning_letter_has_the_sender(self):
        line = self._letters().filtered(lambda ln: ln.partner_id == self.client_a)
        report = "remote_support_billing.rsb_dunning_letter_report"
        self._assert_body_block(report, line.ids)
        text = self._assert_sender(self._pdf(report, line.ids, user=self.accountant))
        self.assertIn("Formal notice to pay", text)
        self.assertIn("Greenleaf Dental", text)

    def test_two_letters_at_once(self):
        lines = self._letters()
        content = self._pdf(
            "remote_support_billing.rsb_dunning_letter_report", lines.ids, user=self.accountant
        )
        text = self._assert_sender(content, times=2)
        self.assertEqual(text.count("Formal notice to pay"), 2)
        self.assertIn("Greenleaf Dental", text)
        self.assertIn("Harbor Freight Law", text)

    def test_two_letters_with_an_unpatched_build(self):
        """A build without patched Qt reads one page source per call: each letter is
        printed on its own and the PDFs merged (else Odoo fails on an empty file)."""
        lines = self._letters()
        calls = []
        run = BaseReport._run_wkhtmltopdf

        def count_calls(report, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return run(report, bodies, *args, **kwargs)

        with (
            patch.object(rsb_report, "wkhtmltopdf_has_patched_qt", return_value=False),
            patch.object(BaseReport, "_run_wkhtmltopdf", count_calls),
        ):
            content = self._pdf(
                "remote_support_billing.rsb_dunning_letter_report", lines.ids, user=self.accountant
            )
        self.assertEqual(calls, [1, 1])
        text = self._assert_sender(content, times=2)
        self.assertIn("Greenleaf Dental", text)
        self.assertIn("Harbor Freight Law", text)

    def test_empty_pdf_says_why(self):
        """wkhtmltopdf writing an empty file: a plain sentence, not Odoo's "Oops!"."""
        line = self._letters()[0]
        with patch.object(BaseReport, "_run_wkhtmltopdf", return_value=b""):
            with self.assertRaisesRegex(UserError, "returned an empty file.*patched Qt"):
                self.Report.with_user(self.accountant)._render_qweb_pdf(
                    "remote_support_billing.rsb_dunning_letter_report", line.ids
                )

    def test_statement_has_the_sender(self):
        self._create_invoice(self.client_a, 250.0, self.TODAY + timedelta(days=10))
        report = "remote_support_billing.rsb_partner_statement_report"
        self._assert_body_block(report, self.client_a.ids)
        text = self._assert_sender(self._pdf(report, self.client_a.ids, user=self.accountant))
        self.assertIn("Statement of Account", text)
        self.assertIn("Greenleaf Dental", text)

    def test_two_statements_at_once(self):
        report = "remote_support_billing.rsb_partner_statement_report"
        clients = self.client_a | self.client_b
        text = self._assert_sender(self._pdf(report, clients.ids, user=self.accountant), times=2)
        self.assertEqual(text.count("Statement of Account"), 2)
        self.assertIn("Harbor Freight Law", text)

    def test_deposit_document_has_the_sender(self):
        ticket = self._create_ticket(self.client_a)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        deposit = ticket.rsb_deposit_move_id
        self.assertEqual(deposit.state, "draft", "the client's request, booked when paid")
        self._assert_body_block("account.account_invoices", deposit.ids)
        text = self._assert_sender(self._pdf("account.account_invoices", deposit.ids))
        self.assertIn("Deposit", text)
        self.assertIn("Greenleaf Dental", text)

    def test_ordinary_invoice_keeps_odoo_layout(self):
        """Only the deposit gets the block: Odoo's invoices stay as the company laid them out."""
        invoice = self._create_invoice(self.client_a, 80.0, self.TODAY + timedelta(days=30))
        html = self.Report._render_qweb_html("account.account_invoices", invoice.ids)[0]
        self.assertNotIn(b"o_rsb_company_block", html)
