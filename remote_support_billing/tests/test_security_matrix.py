"""Who can do what, as one table: each role x protected field or billing action x path (form
write, create, import, copy, action or wizard, portal route), with the expected outcome.
A refusal raises (AccessError/UserError/ValidationError, or an import/route error) and writes
nothing; an allowed row does what it says; a held row creates the documents but sends no money
(the money-out rule). Then one named regression test per bypass found in review (issue 10)."""

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .test_settle_up import SettleUpCase

REFUSED, ALLOWED, HELD = "refused", "allowed", "held"
ROLES = ("technician", "manager", "accountant", "portal", "public")
FIELD_PATHS = ("write", "create", "import", "copy")
TICKET_FIELDS = ("rsb_settled", "rsb_deposit_state", "rsb_deposit_move_id", "rsb_payment_token_id")
# fields written by the addon's own paths only (the Schedule wizard, the rate binding)
TICKET_OWN_FIELDS = (
    "rsb_session_event_id",
    "rsb_bound_rate",
    # the pay-now request and its link's code: Request Payment Now only
    "rsb_pay_now_move_id",
    "rsb_pay_now_code",
)
# the deposit ledger's tags on journal items (N7): the addon's own methods only
LEDGER_FIELDS = ("rsb_deposit_ticket_id", "rsb_deposit_role")
PARTNER_FIELDS = (
    "rsb_trusted",
    "rsb_prepay_required",
    "rsb_credit_hold",
    "rsb_collections",
    "rsb_dunning_pause_reason",
    "rsb_unused_deposit_policy",
)
POLICY_EDITORS = ("manager", "accountant")


def _partner_field_outcome(role, fname):
    if fname == "rsb_prepay_required":  # computed from trust and hold: nobody writes it
        return REFUSED
    return ALLOWED if role in POLICY_EDITORS else REFUSED


# (role, model, field or action, path, expected outcome). "accountant+" is an accountant who
# also works in Helpdesk (may settle up); "portal" is client A's portal user.
MATRIX = [
    # billing fields of a ticket: written only by the billing actions, whoever the user
    *[
        (role, "helpdesk.ticket", fname, path, REFUSED)
        for role in ROLES
        for fname in TICKET_FIELDS
        for path in FIELD_PATHS
    ],
    *[
        (role, "helpdesk.ticket", fname, path, REFUSED)
        for role in ROLES
        for fname in TICKET_OWN_FIELDS
        for path in ("write", "import")
    ],
    # retagging a paid deposit's journal item to another ticket (N7): nobody, by any path
    *[
        (role, "account.move.line", fname, path, REFUSED)
        for role in ("technician", "manager", "accountant", "accountant+", "portal")
        for fname in LEDGER_FIELDS
        for path in ("write", "import")
    ],
    # a client's billing policy: helpdesk managers and accountants only
    *[
        (role, "res.partner", fname, path, _partner_field_outcome(role, fname))
        for role in ROLES
        for fname in PARTNER_FIELDS
        for path in FIELD_PATHS
    ],
    # deposits
    ("technician", "helpdesk.ticket", "request deposit", "action", ALLOWED),
    ("manager", "helpdesk.ticket", "request deposit", "action", ALLOWED),
    ("accountant", "helpdesk.ticket", "request deposit", "action", REFUSED),
    ("portal", "helpdesk.ticket", "request deposit", "action", REFUSED),
    ("public", "helpdesk.ticket", "request deposit", "action", REFUSED),
    ("technician", "helpdesk.ticket", "request again after cancel", "action", ALLOWED),
    # a deposit paid by transfer or cash: the accountant books it (issue 21)
    ("technician", "helpdesk.ticket", "register deposit payment", "wizard", REFUSED),
    ("manager", "helpdesk.ticket", "register deposit payment", "wizard", REFUSED),
    ("accountant", "helpdesk.ticket", "register deposit payment", "wizard", ALLOWED),
    ("accountant+", "helpdesk.ticket", "register deposit payment", "wizard", ALLOWED),
    ("portal", "helpdesk.ticket", "register deposit payment", "wizard", REFUSED),
    ("public", "helpdesk.ticket", "register deposit payment", "wizard", REFUSED),
    ("technician", "helpdesk.ticket", "waive", "wizard", REFUSED),
    ("manager", "helpdesk.ticket", "waive", "wizard", ALLOWED),
    ("accountant", "helpdesk.ticket", "waive", "wizard", REFUSED),
    ("portal", "helpdesk.ticket", "waive", "wizard", REFUSED),
    ("technician", "helpdesk.ticket", "cancel session", "wizard", REFUSED),
    ("manager", "helpdesk.ticket", "cancel session", "wizard", HELD),  # refund left to accounting
    ("accountant", "helpdesk.ticket", "cancel session", "wizard", REFUSED),
    ("portal", "helpdesk.ticket", "cancel session", "wizard", REFUSED),
    # the session: booked only once the deposit is paid (the gate), by helpdesk users
    ("technician", "helpdesk.ticket", "schedule session, deposit unpaid", "wizard", REFUSED),
    ("manager", "helpdesk.ticket", "schedule session, deposit unpaid", "wizard", REFUSED),
    ("technician", "helpdesk.ticket", "schedule session, deposit paid", "wizard", ALLOWED),
    ("accountant", "helpdesk.ticket", "schedule session, deposit paid", "wizard", REFUSED),
    ("portal", "helpdesk.ticket", "schedule session, deposit paid", "wizard", REFUSED),
    ("public", "helpdesk.ticket", "schedule session, deposit paid", "wizard", REFUSED),
    # settle-up and money out (the company lets technicians send nothing: the default)
    ("technician", "helpdesk.ticket", "settle up, charge card", "action", HELD),
    ("manager", "helpdesk.ticket", "settle up, charge card", "action", HELD),
    ("accountant", "helpdesk.ticket", "settle up, charge card", "action", REFUSED),
    ("accountant+", "helpdesk.ticket", "settle up, charge card", "action", ALLOWED),
    ("portal", "helpdesk.ticket", "settle up, charge card", "action", REFUSED),
    ("public", "helpdesk.ticket", "settle up, charge card", "action", REFUSED),
    ("technician", "helpdesk.ticket", "settle up, refund", "action", HELD),
    ("accountant+", "helpdesk.ticket", "settle up, refund", "action", ALLOWED),
    ("technician", "helpdesk.ticket", "charge held money", "action", REFUSED),
    ("manager", "helpdesk.ticket", "charge held money", "action", REFUSED),
    ("accountant", "helpdesk.ticket", "charge held money", "action", ALLOWED),
    ("portal", "helpdesk.ticket", "charge held money", "action", REFUSED),
    ("public", "helpdesk.ticket", "charge held money", "action", REFUSED),
    # dunning controls
    ("technician", "res.partner", "pause dunning", "wizard", REFUSED),
    ("manager", "res.partner", "pause dunning", "wizard", ALLOWED),
    ("accountant", "res.partner", "pause dunning", "wizard", ALLOWED),
    ("portal", "res.partner", "pause dunning", "wizard", REFUSED),
    ("technician", "res.partner", "lift hold", "wizard", REFUSED),
    ("manager", "res.partner", "lift hold", "wizard", ALLOWED),
    ("accountant", "res.partner", "lift hold", "wizard", ALLOWED),
    ("portal", "res.partner", "lift hold", "wizard", REFUSED),
    ("technician", "res.partner", "write off", "wizard", REFUSED),
    ("manager", "res.partner", "write off", "wizard", REFUSED),
    ("accountant", "res.partner", "write off", "wizard", ALLOWED),
    ("portal", "res.partner", "write off", "wizard", REFUSED),
    # pay now, during the session (issue 26.1): whoever works the ticket in Helpdesk
    ("technician", "helpdesk.ticket", "request payment now", "wizard", ALLOWED),
    ("manager", "helpdesk.ticket", "request payment now", "wizard", ALLOWED),
    ("accountant", "helpdesk.ticket", "request payment now", "wizard", REFUSED),
    ("accountant+", "helpdesk.ticket", "request payment now", "wizard", ALLOWED),
    ("portal", "helpdesk.ticket", "request payment now", "wizard", REFUSED),
    ("public", "helpdesk.ticket", "request payment now", "wizard", REFUSED),
    ("technician", "helpdesk.ticket", "cancel payment now", "wizard", ALLOWED),
    ("accountant", "helpdesk.ticket", "cancel payment now", "wizard", REFUSED),
    ("portal", "helpdesk.ticket", "cancel payment now", "wizard", REFUSED),
    ("public", "helpdesk.ticket", "cancel payment now", "wizard", REFUSED),
    # the billing policy (Helpdesk > Configuration): helpdesk managers only
    ("technician", "res.company", "billing policy", "wizard", REFUSED),
    ("manager", "res.company", "billing policy", "wizard", ALLOWED),
    ("accountant", "res.company", "billing policy", "wizard", REFUSED),
    ("portal", "res.company", "billing policy", "wizard", REFUSED),
    # portal routes
    ("portal", "helpdesk.ticket", "close another client's ticket", "portal route", REFUSED),
    ("public", "helpdesk.ticket", "close another client's ticket", "portal route", REFUSED),
    ("portal", "helpdesk.ticket", "close own ticket", "portal route", ALLOWED),
]


# the rows that send money (a refund, a card charge): HELD when they did not
MONEY_OUT = ("cancel session", "settle up, charge card", "settle up, refund", "charge held money")


class Refused(Exception):
    """An import or a portal route answered with an error instead of raising."""


@tagged("post_install", "-at_install")
class TestSecurityMatrix(SettleUpCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_tech_money_out_limit = 0.0
        cls.accountant_helpdesk = new_test_user(
            cls.env,
            login="rsb-accountant-helpdesk",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
        )
        cls.users = {
            "technician": cls.technician,
            "manager": cls.helpdesk_manager,
            "accountant": cls.accountant,
            "accountant+": cls.accountant_helpdesk,
            "portal": cls.portal_a,
            "public": cls.env.ref("base.public_user"),
        }
        cls.stage_done.close_from_portal = True
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )

    def setUp(self):
        super(SettleUpCase, self).setUp()  # no frozen clock: the portal rows run a server
        self.ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        self.ticket_b = self._create_ticket(self.contact_b, name="Mail down")
        self.ticket_own = self._create_ticket(self.contact_a, name="Scanner offline")
        self.ticket_requested = self._ticket_with_deposit(pay="none")
        self.ticket_paid = self._ticket_with_deposit(pay="online")
        self.ticket_charge = self._ticket_with_deposit(pay="online")
        self._log_time(self.ticket_charge, 125)
        self.ticket_refund = self._ticket_with_deposit(pay="online")
        self._log_time(self.ticket_refund, 70)
        self.ticket_held = self._ticket_with_deposit(pay="online")
        self._log_time(self.ticket_held, 125)
        self._settle(self.ticket_held)  # by the technician: the charge waits
        self.ticket_held.message_subscribe(self.accountant.partner_id.ids)
        self.ticket_pay_now = self._ticket_with_deposit(pay="online")
        self._log_time(self.ticket_pay_now, 125)
        self.ticket_pay_now.sudo()._rsb_request_payment_now(send_email=False)
        self.ticket_cancelled = self._ticket_with_deposit(pay="none")
        self.ticket_cancelled.with_user(self.helpdesk_manager)._rsb_cancel_session("Not needed")
        self.other_token = self._create_token("done", partner=self.contact_b)
        self.other_deposit = self._ticket_with_deposit(self.client_b, pay="manual")
        self.other_deposit = self.other_deposit.rsb_deposit_move_id
        self.other_event = self.env["calendar.event"].create(
            {
                "name": "Harbor's session",
                "start": fields.Datetime.now() + timedelta(days=2),
                "stop": fields.Datetime.now() + timedelta(days=2, hours=1),
                "partner_ids": [Command.link(self.contact_b.id)],
            }
        )
        self.overdue = self._overdue_invoice(self.client_b)
        self.client_b._rsb_place_credit_hold("overdue")

    def _overdue_invoice(self, partner):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.today() - timedelta(days=60),
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_hour.id, "price_unit": 100.0})
                ],
            }
        )
        invoice.action_post()
        return invoice

    # ------------------------------------------------------------------ attempts
    def _value(self, fname):
        """A value that would open the gate or spend someone else's money."""
        return {
            "rsb_settled": (True, "1"),
            "rsb_deposit_state": ("paid", "paid"),
            "rsb_deposit_move_id": (self.other_deposit.id, str(self.other_deposit.id)),
            "rsb_payment_token_id": (self.other_token.id, str(self.other_token.id)),
            "rsb_trusted": (True, "1"),
            "rsb_prepay_required": (False, "0"),
            "rsb_credit_hold": (True, "1"),
            "rsb_collections": (True, "1"),
            "rsb_dunning_pause_reason": ("dispute", "dispute"),
            "rsb_unused_deposit_policy": ("credit", "credit"),
            "rsb_session_event_id": (self.other_event.id, str(self.other_event.id)),
            "rsb_bound_rate": (1.0, "1.0"),
            "rsb_pay_now_move_id": (self.other_deposit.id, str(self.other_deposit.id)),
            "rsb_pay_now_code": ("guessed-code", "guessed-code"),
            "rsb_deposit_ticket_id": (self.ticket.id, str(self.ticket.id)),
            "rsb_deposit_role": ("apply", "apply"),
        }[fname]

    def _write_field(self, user, model, fname, path):
        value, cell = self._value(fname)
        record = {
            "helpdesk.ticket": self.ticket,
            "res.partner": self.client_a,
            # Harbor's paid deposit line, retagged to client A's ticket
            "account.move.line": self.other_deposit.line_ids.filtered("rsb_deposit_ticket_id")[:1],
        }[model]
        Model = self.env[model].with_user(user)
        base = (
            {"name": "Probe", "team_id": self.team.id, "partner_id": self.client_a.id}
            if model == "helpdesk.ticket"
            else {"name": "Probe", "is_company": True}
        )
        if path == "write":
            record.with_user(user).write({fname: value})
        elif path == "create":
            Model.create({**base, fname: value})
        elif path == "copy":
            record.with_user(user).copy({"name": "Probe", fname: value})
        elif path == "import" and model == "account.move.line":
            column = f"{fname}/.id" if fname.endswith("_id") else fname
            result = Model.load([".id", column], [[str(record.id), cell]])
            if not result["ids"]:
                raise Refused(result["messages"])
        elif path == "import":
            column = f"{fname}/.id" if fname.endswith("_id") else fname
            result = Model.load(["name", column], [["Probe", cell]])
            if not result["ids"]:
                raise Refused(result["messages"])

    def _schedule(self, user, ticket):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        self._wizard(
            user,
            "rsb.session.schedule.wizard",
            {
                "ticket_id": ticket.id,
                "start": start,
                "duration": 1.0,
                "user_id": self.technician.id,
            },
            "action_confirm",
        )

    def _request_payment_now(self, user):
        action = self.ticket_charge.with_user(user).action_rsb_request_payment_now()
        self._wizard(
            user, action["res_model"], {"ticket_id": self.ticket_charge.id}, "action_confirm"
        )

    def _wizard(self, user, model, values, method):
        wizard = self.env[model].with_user(user).create(values)
        getattr(wizard, method)()

    def _close_route(self, user, ticket):
        login = None if user._is_public() else user.login
        self.authenticate(login, login)
        page = self.url_open("/web/login" if login is None else "/my/account")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/ticket/close",
            data={"ticket_id": ticket.id, "stage_id": self.stage_done.id, "csrf_token": csrf},
            allow_redirects=False,
        )
        location = response.headers.get("Location", "")
        if response.status_code >= 400 or "/web/login" in location:
            raise Refused(response.status_code)

    def _attempt(self, user, model, target, path):
        if path in FIELD_PATHS:
            return self._write_field(user, model, target, path)
        tomorrow = fields.Date.today() + timedelta(days=1)
        actions = {
            "request deposit": lambda: self.ticket.with_user(user).action_rsb_request_deposit(),
            "request again after cancel": lambda: self.ticket_cancelled.with_user(
                user
            ).action_rsb_request_deposit(),
            "waive": lambda: self._wizard(
                user,
                "rsb.deposit.waive.wizard",
                {"mode": "waive", "ticket_ids": self.ticket_requested.ids, "reason": "Friend"},
                "action_confirm",
            ),
            "register deposit payment": lambda: self._wizard(
                user,
                "rsb.deposit.payment.wizard",
                {
                    "ticket_id": self.ticket_requested.id,
                    "journal_id": self.bank_journal.id,
                    "amount": self.ticket_requested.sudo().rsb_deposit_move_id.amount_total,
                },
                "action_confirm",
            ),
            "cancel session": lambda: self._wizard(
                user,
                "rsb.deposit.waive.wizard",
                {"mode": "cancel", "ticket_ids": self.ticket_paid.ids, "reason": "Fixed"},
                "action_confirm",
            ),
            "schedule session, deposit unpaid": lambda: self._schedule(user, self.ticket_requested),
            "schedule session, deposit paid": lambda: self._schedule(user, self.ticket_paid),
            "settle up, charge card": lambda: self.ticket_charge.with_user(
                user
            ).action_rsb_settle(),
            "settle up, refund": lambda: self.ticket_refund.with_user(user).action_rsb_settle(),
            "charge held money": lambda: self.ticket_held.with_user(
                user
            ).action_rsb_charge_saved_card(),
            "pause dunning": lambda: self._wizard(
                user,
                "rsb.dunning.pause.wizard",
                {
                    "res_model": "res.partner",
                    "res_ids": self.client_a.ids,
                    "reason": "dispute",
                    "date_until": tomorrow,
                },
                "action_pause",
            ),
            "lift hold": lambda: self._wizard(
                user,
                "rsb.credit.hold.lift.wizard",
                {"partner_ids": self.client_b.ids, "reason": "Promised to pay"},
                "action_lift",
            ),
            "write off": lambda: self._wizard(
                user,
                "rsb.dunning.writeoff.wizard",
                {"partner_id": self.client_b.id, "move_ids": self.overdue.ids},
                "action_confirm",
            ),
            "request payment now": lambda: self._request_payment_now(user),
            "cancel payment now": lambda: self._wizard(
                user,
                "rsb.pay.now.cancel.wizard",
                {"ticket_id": self.ticket_pay_now.id, "reason": "Pays by transfer"},
                "action_confirm",
            ),
            "billing policy": lambda: self._wizard(
                user,
                "rsb.billing.policy",
                {"rsb_unused_deposit_policy": "refund", "rsb_trust_overdue_days": 3},
                "action_save",
            ),
            "close another client's ticket": lambda: self._close_route(user, self.ticket_b),
            "close own ticket": lambda: self._close_route(user, self.ticket_own),
        }
        return actions[target]()

    # ------------------------------------------------------------------ observations
    def _snapshot(self):
        """Everything a row could change: billing fields of the fixtures, the clients'
        policy, and the number of documents, payments, transactions and records."""
        self.env.invalidate_all()
        tickets = (
            self.ticket
            | self.ticket_b
            | self.ticket_own
            | self.ticket_requested
            | self.ticket_paid
            | self.ticket_charge
            | self.ticket_refund
            | self.ticket_held
            | self.ticket_cancelled
            | self.ticket_pay_now
        )
        clients = self.client_a | self.client_b
        counts = tuple(
            self.env[model].search_count([])
            for model in (
                "helpdesk.ticket",
                "res.partner",
                "account.move",
                "account.payment",
                "payment.transaction",
            )
        )
        return (
            tickets.read(
                [
                    *TICKET_FIELDS,
                    "stage_id",
                    "rsb_deposit_waived",
                    "rsb_session_event_id",
                    "rsb_pay_now_move_id",
                    "rsb_pay_now_state",
                ]
            ),
            self.company.read(["rsb_unused_deposit_policy", "rsb_trust_overdue_days"]),
            clients.read([f for f in PARTNER_FIELDS if f != "rsb_prepay_required"]),
            self.overdue.read(["amount_residual"]),
            counts,
        )

    def _money_sent(self):
        """Transactions sent (done or under way) and payments posted: money out/in."""
        self.env.invalidate_all()
        return (
            self.env["payment.transaction"].search_count(
                [("state", "in", ("pending", "authorized", "done"))]
            ),
            self.env["account.payment"].search_count([("state", "!=", "draft")]),
        )

    def test_matrix(self):
        for role, model, target, path, expected in MATRIX:
            with self.subTest(role=role, model=model, target=target, path=path):
                user = self.users[role]
                before, money_before = self._snapshot(), self._money_sent()
                with self.env.cr.savepoint() as savepoint:
                    try:
                        self._attempt(user, model, target, path)
                    except (AccessError, UserError, ValidationError, Refused):
                        outcome = REFUSED
                        self.assertEqual(self._snapshot(), before, "nothing was written")
                    else:
                        self._send_money_out()  # what follows the commit
                        after = self._snapshot()
                        self.assertNotEqual(after, before, "the row did something")
                        sent = self._money_sent() != money_before
                        outcome = HELD if target in MONEY_OUT and not sent else ALLOWED
                    savepoint.rollback()
                self.env.invalidate_all()
                self.assertEqual(outcome, expected)

    # ------------------------------------------------------------------ named regressions
    def test_regression_prepay_required_cannot_be_written(self):
        """Bypass: `rsb_prepay_required = False` opened the gate. It is computed from trust
        and credit hold, and a write of it is refused for everyone."""
        for user in (self.technician, self.helpdesk_manager, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.client_a.with_user(user).write({"rsb_prepay_required": False})
        self.assertTrue(self.client_a.rsb_prepay_required)
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            self.ticket.with_user(self.technician).stage_id = self.stage_scheduled

    def test_regression_technician_creates_trusted_client(self):
        """Bypass: a new contact created with rsb_trusted=True (the guard was on write)."""
        Partner = self.env["res.partner"].with_user(self.technician)
        for vals in ({"is_company": True}, {"parent_id": self.client_a.id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                Partner.create({"name": "Sneaky Ltd", "rsb_trusted": True, **vals})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Sneaky Ltd")]))

    def test_regression_customer_switch_to_trusted_and_back(self):
        """Bypass: switch the customer to a trusted client, move to the gated stage, switch
        back (the gate was checked on the values before the write)."""
        as_tech = self.ticket.with_user(self.technician)
        as_tech.write({"partner_id": self.client_trusted.id})
        as_tech.write({"stage_id": self.stage_scheduled.id})
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            as_tech.write({"partner_id": self.client_a.id})
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            as_tech.write({"partner_id": self.client_a.id, "stage_id": self.stage_scheduled.id})
        self.assertEqual(self.ticket.commercial_partner_id, self.client_trusted)

    def test_regression_deposit_of_another_client(self):
        """Bypass: rsb_deposit_move_id pointed at another client's paid deposit, then Settle
        Up spent it. Refused to the technician; refused by a constraint even in sudo."""
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.technician).rsb_deposit_move_id = self.other_deposit
        with self.assertRaisesRegex(ValidationError, "not a deposit of ticket"):
            with self.env.cr.savepoint():
                self.ticket.sudo().rsb_deposit_move_id = self.other_deposit
        self.env.invalidate_all()
        self.assertFalse(self.ticket.rsb_deposit_move_id)
        self.assertEqual(self.other_deposit.rsb_deposit_ticket_id.rsb_deposit_state, "paid")

    def test_regression_card_token_of_another_client(self):
        """Bypass: the settle-up charged the remaining balance to another client's card."""
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.technician).rsb_payment_token_id = self.other_token
        with self.assertRaisesRegex(ValidationError, "is not"):
            with self.env.cr.savepoint():
                self.ticket.sudo().rsb_payment_token_id = self.other_token
        self.env.invalidate_all()
        self.assertFalse(self.ticket.rsb_payment_token_id)

    def test_regression_technician_requests_again_after_cancelled_session(self):
        """Bypass: requesting a new deposit after the first was cancelled raised an Access
        Error for the technician."""
        self.assertEqual(self.ticket_cancelled.rsb_deposit_state, "cancelled")
        self.ticket_cancelled.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(self.ticket_cancelled.rsb_deposit_state, "requested")
        self.ticket_cancelled.with_user(self.technician).read(
            ["rsb_deposit_state", "rsb_deposit_amount", "rsb_deposit_available"]
        )

    def test_regression_settle_up_sends_no_money_without_an_accountant(self):
        """Bypass: Settle Up (helpdesk users, in sudo) sent provider refunds and card
        charges directly."""
        money = self._money_sent()
        self._settle(self.ticket_charge | self.ticket_refund)
        self.assertEqual(self._money_sent(), money)
        self.assertTrue(self.ticket_charge.rsb_settled and self.ticket_refund.rsb_settled)
