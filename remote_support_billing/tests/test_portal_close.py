"""Issue 24: closing or cancelling a ticket from the portal asks for confirmation and a
reason, says what it does, then does it: the session is cancelled, the unused deposit
returned per the policy (a refund judged as the client's request: held for an accountant),
and the team told. helpdesk_mgmt's own contract (one form per close stage, a 302) is kept."""

from odoo.tests import tagged

from .session_common import SessionCommon as SessionCase


@tagged("post_install", "-at_install")
class TestPortalClose(SessionCase):
    def setUp(self):
        super().setUp()
        self.stage_done.close_from_portal = True

    def _close(self, ticket, reason=None):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        data = {"ticket_id": ticket.id, "stage_id": self.stage_done.id, "csrf_token": csrf}
        if reason is not None:
            data["rsb_reason"] = reason
        response = self.url_open("/ticket/close", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 302, "helpdesk_mgmt's contract")
        self.env.invalidate_all()
        return page

    def test_page_asks_for_confirmation_and_says_what_closing_does(self):
        ticket = self._paid_ticket()
        self._schedule(ticket)
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        closing_stages = ticket.team_id._get_applicable_stages().filtered("close_from_portal")
        self.assertEqual(page.count('action="/ticket/close"'), len(closing_stages))
        self.assertIn("o_rsb_close_confirm", page)
        self.assertIn('name="rsb_reason" required', page)
        self.assertIn("Your remote session of", page)
        self.assertIn("is cancelled", page)
        self.assertIn("Your deposit of $", page)
        self.assertFalse(ticket.closed, "showing the page closes nothing")

    def test_close_cancels_the_session_keeps_credit_and_tells_the_team(self):
        self.company.rsb_unused_deposit_policy = "credit"
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        self._close(ticket, reason="Fixed it myself")
        self.assertTrue(ticket.closed)
        self.assertFalse(event.exists(), "the session is cancelled")
        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertRecordValues(credit_note, [{"state": "posted", "amount_total": 129.0}])
        self.assertEqual(ticket.rsb_deposit_available, 0.0, "nothing held any more")
        activity = ticket.activity_ids.filtered(lambda a: a.summary == "Closed by the client")
        self.assertEqual(activity.user_id, self.technician)
        self.assertIn("Fixed it myself", activity.note)

    def test_close_with_refund_policy_holds_the_money_for_an_accountant(self):
        self.company.rsb_unused_deposit_policy = "refund"
        ticket = self._paid_ticket()
        self._close(ticket, reason="No longer needed")
        self.assertTrue(ticket.closed)
        self.assertFalse(self.env["rsb.money.out"].sudo().search([("ticket_id", "=", ticket.id)]))
        held = ticket.activity_ids.filtered(lambda a: a.summary == "Refund the unused deposit")
        self.assertTrue(held.user_id.has_group("account.group_account_invoice"))

    def test_helpdesk_mgmt_form_without_reason_still_closes(self):
        ticket = self._paid_ticket()
        self._close(ticket)
        self.assertTrue(ticket.closed)
        activity = ticket.activity_ids.filtered(lambda a: a.summary == "Closed by the client")
        self.assertIn("no reason given", activity.note)
