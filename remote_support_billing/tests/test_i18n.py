"""Translations: the committed .pot is current, and clients read their emails in their language."""

import io
import os
from datetime import timedelta

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools.translate import trans_export

from .dunning_common import RSBDunningCommon

MODULE = "remote_support_billing"


def _msgids(text):
    """The (msgctxt, msgid) pairs of a .po/.pot text, header and comments left out."""
    import polib  # Odoo's own dependency

    return {(e.msgctxt, e.msgid) for e in polib.pofile(text) if e.msgid}


@tagged("post_install", "-at_install")
class TestTranslations(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("es_ES", "fr_FR"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms([MODULE], ["es_ES", "fr_FR"], overwrite=True)
        cls.client_a.lang = "es_ES"
        cls.client_b.lang = "fr_FR"

    def test_pot_is_current(self):
        """i18n/remote_support_billing.pot holds exactly the strings of this install: when it
        fails, run `make pot` (it also merges the new strings into es.po and fr.po)."""
        buffer = io.BytesIO()
        trans_export(None, [MODULE], buffer, "po", self.env.cr)
        current = _msgids(buffer.getvalue().decode())
        i18n = os.path.join(get_module_path(MODULE), "i18n")
        with open(os.path.join(i18n, f"{MODULE}.pot"), encoding="utf-8") as f:
            committed = _msgids(f.read())
        added = sorted(msgid for _ctx, msgid in current - committed)
        removed = sorted(msgid for _ctx, msgid in committed - current)
        self.assertFalse(
            added or removed,
            "i18n/remote_support_billing.pot is stale, run `make pot`.\n"
            f"New strings: {added[:10]}\nStrings gone: {removed[:10]}",
        )
        for lang in ("es", "fr"):
            with open(os.path.join(i18n, f"{lang}.po"), encoding="utf-8") as f:
                self.assertFalse(
                    _msgids(f.read()) - committed,
                    f"{lang}.po has strings the .pot does not: run `make pot`",
                )

    def test_dunning_email_in_the_clients_language(self):
        """A Spanish client's reminder is written in Spanish, a French one's in French."""
        due = self.TODAY + timedelta(days=3)
        invoice_es = self._create_invoice(self.client_a, 200.0, due)
        invoice_fr = self._create_invoice(self.client_b, 80.0, due)
        self._run()
        mail_es = self._partner_mails(self.client_a)
        mail_fr = self._partner_mails(self.client_b)
        self.assertEqual(len(mail_es), 1)
        self.assertEqual(len(mail_fr), 1)
        self.assertIn("facturas próximas a vencer", mail_es.subject)
        for text in (
            "Hola",
            "Un recordatorio amistoso",
            "Pagar en línea",
            "Total vencido",
            "Gracias",
        ):
            self.assertIn(text, mail_es.body_html)
        self.assertIn(invoice_es.name, mail_es.body_html)
        self.assertNotIn("friendly reminder", mail_es.body_html.lower())
        self.assertIn("factures bientôt échues", mail_fr.subject)
        for text in ("Bonjour", "Petit rappel", "Payer en ligne", "Total échu", "Merci"):
            self.assertIn(text, mail_fr.body_html)
        self.assertIn(invoice_fr.name, mail_fr.body_html)

    def test_deposit_request_email_in_spanish(self):
        ticket = self._create_ticket(self.client_a, name="Impresora sin conexión")
        ticket.with_user(self.technician).action_rsb_request_deposit()
        message = ticket.message_ids.filtered("subject")
        self.assertEqual(len(message), 1, "the deposit request is emailed once")
        self.assertIn(f"depósito para el ticket {ticket.number}", message.subject)
        for text in (
            "Hola",
            "le solicitamos un depósito de",
            "Revisar el acuerdo y pagar el depósito",
        ):
            self.assertIn(text, message.body)
        self.assertNotIn("we ask for a deposit", message.body)

    def test_selection_labels_and_messages_in_spanish(self):
        """The screens and the gate's message follow the user's language."""
        env_es = self.env(context=dict(self.env.context, lang="es_ES"))
        states = dict(
            env_es["helpdesk.ticket"]._fields["rsb_deposit_state"]._description_selection(env_es)
        )
        self.assertEqual(states["requested"], "Solicitado")
        self.assertEqual(states["not_required"], "No requerido")
        wizard = env_es["rsb.collections.export.wizard"].new({})
        self.assertEqual(wizard._rsb_columns()[:2], ["Cliente", "Calle"])
