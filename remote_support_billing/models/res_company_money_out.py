"""The money-out rule: who may send a client's money (provider refund, card charge) at a
settle-up or a cancelled session; the company's limit for technicians."""

from odoo import SUPERUSER_ID, fields, models
from odoo.http import request

# Accountants (Invoicing and above) may always send money out.
MONEY_OUT_GROUP = "account.group_account_invoice"
# Helpdesk users may, up to the company's limit per settle-up (0: never).
MONEY_OUT_LIMITED_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    rsb_tech_money_out_limit = fields.Monetary(
        string="Technicians Send Money Up To",
        currency_field="currency_id",
        default=0.0,
        help="Money leaving the company at a settle-up (a refund through the payment provider, "
        "a charge to the client's saved card) needs an accountant. Helpdesk users may send up "
        "to this amount per settle-up; beyond it (or with 0, the default) the documents are "
        "created and the refund or charge waits for an accountant.",
    )

    rsb_system_money_out = fields.Boolean(
        string="Automatic Jobs Send Money Out",
        default=False,
        help="Whether money may leave (a card charge, a refund through the provider) when no "
        "person asked for it: a scheduled job run by the system. Off (the default): the "
        "documents are created and the charge or refund waits for an accountant. A portal "
        "request is never the system: the rule applies to the person behind it.",
    )

    _sql_constraints = [
        (
            "rsb_tech_money_out_limit_positive",
            "CHECK(rsb_tech_money_out_limit >= 0)",
            "The amount technicians may send out cannot be negative.",
        ),
    ]

    def _rsb_may_send_money_out(self, amount, currency, user=None):
        """The money-out rule, the one check of every refund and charge the addon sends:
        accountants may; helpdesk users may up to the company's limit (`amount` in
        `currency`, converted at today's rate); nobody else. Code running as the superuser
        (a portal route's document access, a cron) is judged as the person behind it: the
        user of the HTTP request, or, with no request at all, the company's setting for
        automatic jobs.

        :param user: who acts (default: the environment's user, also inside sudo)
        """
        self.ensure_one()
        user = self._rsb_money_out_requester(user or self.env.user)
        if not user:
            return self.rsb_system_money_out
        if user.has_group(MONEY_OUT_GROUP):
            return True
        limit = self.rsb_tech_money_out_limit
        if self.currency_id.is_zero(limit) or not user.has_group(MONEY_OUT_LIMITED_GROUP):
            return False
        amount = currency._convert(
            amount, self.currency_id, self, fields.Date.context_today(self), round=True
        )
        return self.currency_id.compare_amounts(amount, limit) <= 0

    def _rsb_money_out_requester(self, user):
        """Who asks for the money out: `user`, unless it is the superuser, then the user
        of the current HTTP request (a portal client, a technician on a route that works in
        sudo), else nobody (an empty recordset: the system itself)."""
        if not user._is_superuser():
            return user
        uid = None
        if request:
            uid = getattr(request, "session", None) and request.session.uid
            if not uid:
                # a visitor with an access token: the public user, who may send nothing
                uid = self.env.ref("base.public_user").id
        if not uid or uid == SUPERUSER_ID:
            return self.env["res.users"]
        return self.env["res.users"].sudo().browse(uid)

    def _rsb_get_money_out_user(self):
        """The accountant asked to send what a technician may not: the company's first
        billing administrator, else its first accountant; one who is not the system
        administrator first (in a shop the admin is whoever set Odoo up, not the accountant),
        the administrator only when no one else keeps the books (empty if no one does)."""
        self.ensure_one()
        groups = [
            self.env.ref(xmlid).sudo()
            for xmlid in ("account.group_account_manager", MONEY_OUT_GROUP)
        ]
        candidates = [
            group.users.filtered(
                lambda u: u.active
                and not u.share
                and not u._is_superuser()
                and self in u.company_ids
            ).sorted("id")
            for group in groups
        ]
        for users in candidates:
            accountants = users.filtered(lambda u: not u._is_admin())
            if accountants:
                return accountants[:1]
        for users in candidates:
            if users:
                return users[:1]
        return self.env["res.users"]
