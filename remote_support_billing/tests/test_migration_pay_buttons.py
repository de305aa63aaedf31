"""Migration 18.0.1.4.0: the pay buttons of the addon's `noupdate` email templates become one
inline block on a phone, in every language; a button the shop edited is left as it is, and a
second run changes nothing."""

from markupsafe import Markup

from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged

MIGRATION = "remote_support_billing/migrations/18.0.1.4.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestMigrationPayButtons(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["remote_support_billing"], ["fr_FR"], overwrite=True
        )
        cls.script = load_script(MIGRATION, "post_migrate")
        cls.deposit = cls.env.ref("remote_support_billing.mail_template_rsb_deposit_request")
        cls.session = cls.env.ref("remote_support_billing.mail_template_rsb_session_scheduled")

    def _as_released(self, template):
        """The template as the previous release installed it (the old button style)."""
        for lang in ("en_US", "fr_FR"):
            localized = template.with_context(lang=lang)
            localized.body_html = Markup(
                str(localized.body_html).replace(self.script.NEW_STYLE, self.script.OLD_STYLE)
            )
            self.assertIn(self.script.OLD_STYLE, localized.body_html)

    def test_released_buttons_restyled_in_every_language(self):
        self._as_released(self.deposit)
        french_before = self.deposit.with_context(lang="fr_FR").body_html
        self.assertIn("Bonjour", french_before, "the French translation is there")
        changed = self.script.restyle_pay_buttons(self.env)
        self.assertIn(self.deposit, changed)
        for lang in ("en_US", "fr_FR"):
            body = self.deposit.with_context(lang=lang).body_html
            self.assertIn(self.script.NEW_STYLE, body, lang)
            self.assertNotIn(self.script.OLD_STYLE, body, lang)
        self.assertEqual(
            self.deposit.with_context(lang="fr_FR").body_html,
            str(french_before).replace(self.script.OLD_STYLE, self.script.NEW_STYLE),
            "only the style changed: the French text is kept",
        )
        self.assertFalse(self.script.restyle_pay_buttons(self.env), "a second run: nothing")

    def test_edited_button_is_left_alone(self):
        edited = '<p><a href="/my" style="background: red;">Pay us</a></p>'
        self.session.body_html = edited
        self.script.restyle_pay_buttons(self.env)
        self.assertEqual(self.session.body_html, edited)
