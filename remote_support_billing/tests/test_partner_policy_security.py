"""A client's billing policy is set only by helpdesk managers and accountants, on every path."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RSBCommon

# field -> (value written, the same value as an import cell)
POLICY_VALUES = {
    "rsb_trusted": (True, "1"),
    "rsb_trust_reason": ("Pays on time", "Pays on time"),
    "rsb_credit_hold": (True, "1"),
    "rsb_dunning_pause_reason": ("dispute", "dispute"),
    "rsb_dunning_pause_until": ("2030-01-31", "2030-01-31"),
    "rsb_dunning_pause_note": ("Called the client", "Called the client"),
    "rsb_collections": (True, "1"),
    "rsb_collections_date": ("2026-01-31", "2026-01-31"),
    "rsb_unused_deposit_policy": ("credit", "credit"),
}
PATHS = ("create", "write", "load", "copy")


@tagged("post_install", "-at_install")
class TestPartnerPolicySecurity(RSBCommon):
    def _attempt(self, user, path, fname):
        """Try to set `fname` through `path` as `user`; return (refused, partners touched)."""
        value, cell = POLICY_VALUES[fname]
        Partner = self.env["res.partner"].with_user(user)
        name = f"Probe {path} {fname}"
        if path == "create":
            try:
                Partner.create({"name": name, "is_company": True, fname: value})
            except AccessError:
                return True
        elif path == "write":
            try:
                self.client_a.with_user(user).write({fname: value})
            except AccessError:
                return True
        elif path == "load":
            result = Partner.load(["name", "is_company", fname], [[name, "1", cell]])
            if not result["ids"]:
                self.assertTrue(
                    any("billing policy" in m["message"] for m in result["messages"]),
                    result["messages"],
                )
                return True
        elif path == "copy":
            try:
                self.client_a.with_user(user).copy({"name": name, fname: value})
            except AccessError:
                return True
        return False

    def _snapshot(self):
        fnames = list(POLICY_VALUES)
        return (
            self.client_a.read(fnames)[0],
            self.env["res.partner"].search_count([("name", "=like", "Probe %")]),
        )

    def test_matrix(self):
        """Role x field x path: a technician is refused and nothing changes; a manager and
        an accountant may."""
        for user, allowed in (
            (self.technician, False),
            (self.helpdesk_manager, True),
            (self.accountant, True),
        ):
            for fname in POLICY_VALUES:
                for path in PATHS:
                    with self.subTest(user=user.login, field=fname, path=path):
                        before = self._snapshot()
                        with self.env.cr.savepoint() as savepoint:
                            refused = self._attempt(user, path, fname)
                            if refused:
                                self.assertEqual(self._snapshot(), before, "nothing changed")
                            savepoint.rollback()
                        self.env.invalidate_all()
                        self.assertEqual(refused, not allowed)

    def test_copy_never_carries_the_policy(self):
        self.client_trusted.sudo().write(
            {
                "rsb_credit_hold": True,
                "rsb_collections": True,
                "rsb_unused_deposit_policy": "credit",
            }
        )
        for user in (self.technician, self.helpdesk_manager):
            copy = self.client_trusted.with_user(user).copy()
            self.assertFalse(
                copy.rsb_trusted or copy.rsb_credit_hold or copy.rsb_collections,
                user.login,
            )
            self.assertFalse(copy.rsb_unused_deposit_policy)

    def test_technician_still_works_with_contacts(self):
        """A contact of a trusted client shares its policy: that is not a change."""
        Partner = self.env["res.partner"].with_user(self.technician)
        contact = Partner.create({"name": "New colleague", "parent_id": self.client_trusted.id})
        self.assertTrue(contact.rsb_trusted)
        contact.write({"phone": "+1 555 0199", "rsb_trusted": True})  # unchanged value
        self.client_trusted.with_user(self.technician).write({"phone": "+1 555 0100"})
        # detached from the company, the contact is a new client: no trust of its own
        contact.write({"parent_id": False})
        self.assertEqual(contact.commercial_partner_id, contact)
        self.assertFalse(contact.rsb_trusted)
        self.assertTrue(self.client_trusted.rsb_trusted)
        with self.assertRaises(AccessError):
            Partner.create({"name": "Sneaky", "parent_id": self.client_a.id, "rsb_trusted": True})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Sneaky")]))
        # the form shows the policy read-only to the technician
        self.assertFalse(self.client_a.with_user(self.technician).rsb_can_edit_billing_policy)
        self.assertTrue(self.client_a.with_user(self.accountant).rsb_can_edit_billing_policy)
