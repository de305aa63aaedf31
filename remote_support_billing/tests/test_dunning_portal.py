from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningPortalLetters(RSBDunningCommon, HttpCase):
    """Letters are attachments on the client's commercial partner: a portal client reads
    their own, never another client's (ORM, /web/content, the portal route)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_invoice(cls.client_a, 400.0, cls.TODAY - timedelta(days=31))
        cls._create_invoice(cls.client_b, 200.0, cls.TODAY - timedelta(days=31))
        run = cls.env["rsb.dunning.run"].with_user(cls.accountant).create({"date": cls.TODAY})
        run.action_execute()
        Letter = cls.env["rsb.dunning.letter"]
        cls.letter_a = Letter.search([("partner_id", "=", cls.client_a.id)])
        cls.letter_b = Letter.search([("partner_id", "=", cls.client_b.id)])

    def test_letters_created_and_posted(self):
        self.assertEqual(len(self.letter_a), 1)
        self.assertEqual(self.letter_a.attachment_id.res_model, "res.partner")
        self.assertEqual(self.letter_a.attachment_id.res_id, self.client_a.id)
        self.assertTrue(self.letter_a.attachment_id.raw)
        self.assertIn(self.letter_a.attachment_id, self.client_a.message_ids.attachment_ids)

    def test_portal_client_reads_only_own_letters_orm(self):
        Letter = self.env["rsb.dunning.letter"].with_user(self.portal_a)
        self.assertEqual(Letter.search([]), self.letter_a.with_user(self.portal_a))
        content, _name = self.letter_a.with_user(self.portal_a)._rsb_get_pdf()
        self.assertEqual(content, self.letter_a.attachment_id.raw)
        with self.assertRaises(AccessError):
            self.letter_b.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.letter_b.with_user(self.portal_a)._rsb_get_pdf()
        with self.assertRaises(AccessError):
            self.letter_b.attachment_id.with_user(self.portal_a).read(["datas"])

    def test_portal_client_reads_only_own_letters_http(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        own = self.url_open(f"/my/dunning/letter/{self.letter_a.id}")
        self.assertEqual(own.status_code, 200)
        self.assertEqual(own.content, self.letter_a.attachment_id.raw)
        other = self.url_open(f"/my/dunning/letter/{self.letter_b.id}")
        self.assertEqual(other.status_code, 404)
        web = self.url_open(f"/web/content/{self.letter_b.attachment_id.id}?download=true")
        self.assertIn(web.status_code, (403, 404))
        self.assertNotEqual(web.content, self.letter_b.attachment_id.raw)
        listing = self.url_open("/my/dunning/letters")
        self.assertIn(self.letter_a.name, listing.text)
        self.assertNotIn(self.letter_b.name, listing.text)
