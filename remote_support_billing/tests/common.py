from odoo.tests import TransactionCase, new_test_user


class RSBCommon(TransactionCase):
    """Users per role, a remote-support team, its service product and clients.

    Built in `setUpClass` on the test database's main company (generic chart of accounts);
    nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.env.ref("base.USD").active = True

        # ---- users per role
        cls.technician = new_test_user(
            cls.env,
            login="rsb-tech",
            name="Tina Technician",
            groups="helpdesk_mgmt.group_helpdesk_user,hr_timesheet.group_hr_timesheet_user,base.group_partner_manager",
        )
        cls.helpdesk_manager = new_test_user(
            cls.env,
            login="rsb-manager",
            name="Hank Helpdesk Manager",
            groups="helpdesk_mgmt.group_helpdesk_manager,hr_timesheet.group_hr_timesheet_user,base.group_partner_manager",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="rsb-accountant",
            name="Alice Accountant",
            groups="account.group_account_user,account.group_account_invoice,base.group_partner_manager",
        )
        cls.env["hr.employee"].create(
            [
                {"name": u.name, "user_id": u.id, "company_id": cls.company.id}
                for u in (cls.technician, cls.helpdesk_manager)
            ]
        )

        # ---- what the team sells: an hour of remote support at $86
        cls.uom_hour = cls.env.ref("uom.product_uom_hour")
        cls.product_hour = cls.env["product.product"].create(
            {
                "name": "Remote support (hour)",
                "type": "service",
                "uom_id": cls.uom_hour.id,
                "uom_po_id": cls.uom_hour.id,
                "list_price": 86.0,
                "taxes_id": [(5, 0, 0)],
                "company_id": False,
            }
        )
        cls.project = cls.env["project.project"].create(
            {
                "name": "Remote support",
                "allow_timesheets": True,
                "company_id": cls.company.id,
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_scheduled = cls.env["helpdesk.ticket.stage"].create(
            {
                "name": "Scheduled",
                "sequence": 2,
                "rsb_requires_deposit": True,
                "company_id": cls.company.id,
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Remote Support",
                "user_ids": [(6, 0, (cls.technician | cls.helpdesk_manager).ids)],
                "allow_timesheet": True,
                "default_project_id": cls.project.id,
                "rsb_service_product_id": cls.product_hour.id,
                "rsb_deposit_default": 129.0,
                "rsb_rounding_minutes": 15,
                "rsb_minimum_minutes": 30,
                "rsb_free_minutes": 5,
                "company_id": cls.company.id,
            }
        )

        # ---- clients: a new client and another company (each with a portal user), a trusted one
        cls.client_a, cls.contact_a, cls.portal_a = cls._create_client(
            "Greenleaf Dental", "rsb-portal-a"
        )
        cls.client_b, cls.contact_b, cls.portal_b = cls._create_client(
            "Harbor Freight Law", "rsb-portal-b"
        )
        cls.client_trusted = cls.env["res.partner"].create(
            {
                "name": "Oakridge Accounting",
                "is_company": True,
                "email": "office@oakridge.example",
                "rsb_trusted": True,
                "street": "1 Oak St",
                "city": "Springfield",
                "zip": "12345",
                "country_id": cls.env.ref("base.us").id,
            }
        )

        cls.sale_journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "bank"),
            ],
            limit=1,
        )
        cls.receivable = cls.client_a.property_account_receivable_id
        cls.deposit_account = cls.company._rsb_get_deposit_account()

        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True, "company_id": cls.company.id})

    @classmethod
    def _create_client(cls, name, login):
        client = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "email": f"{login}-billing@example.com",
                "street": "1 Main St",
                "city": "Springfield",
                "zip": "12345",
                "country_id": cls.env.ref("base.us").id,
            }
        )
        contact = cls.env["res.partner"].create(
            {
                "name": f"{name} contact",
                "parent_id": client.id,
                "email": f"{login}@example.com",
            }
        )
        user = new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            partner_id=contact.id,
        )
        return client, contact, user

    @classmethod
    def _create_ticket(cls, partner, **vals):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": vals.pop("name", "Printer offline"),
                "description": "Remote session",
                "team_id": cls.team.id,
                "partner_id": partner.id,
                "project_id": cls.project.id,
                **vals,
            }
        )

    def _log_time(self, ticket, minutes, user=None, **vals):
        user = user or self.technician
        return (
            self.env["account.analytic.line"]
            .with_user(user)
            .create(
                {
                    "name": vals.pop("name", "Remote session"),
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "unit_amount": minutes / 60.0,
                    **vals,
                }
            )
        )

    def _pay_invoice(self, invoice, amount=None):
        """Register a payment for the invoice as the accountant would, and post it. A deposit
        request (a draft until paid) is paid as the accountant books a transfer: "Register
        Deposit Payment" on its ticket posts it with the payment."""
        if invoice.state == "draft" and invoice.rsb_deposit_ticket_id:
            return invoice.rsb_deposit_ticket_id._rsb_register_deposit_payment(
                self.bank_journal, amount
            )
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": self.bank_journal.id, **({"amount": amount} if amount else {})})
        )
        return wizard._create_payments()

    def _demo_tx(self, invoice, reference, **vals):
        """A demo-provider transaction paying what is left on the invoice (a draft request:
        its total), as the portal payment form makes."""
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.provider.payment_method_ids[:1].id,
                    "amount": invoice.amount_residual,
                    "currency_id": invoice.currency_id.id,
                    "partner_id": invoice.partner_id.id,
                    "invoice_ids": [(6, 0, invoice.ids)],
                    "reference": reference,
                    "operation": "online_direct",
                    **vals,
                }
            )
        )

    def _send_money_out(self):
        """What happens right after the settle-up's commit: the queued card charges and
        provider refunds are sent (rsb.money.out; tests never commit, so the post-commit
        step is run here, in the test's transaction)."""
        queued = self.env["rsb.money.out"].sudo().search([("state", "=", "queued")])
        queued._rsb_send()
        self.env.invalidate_all()
        return queued

    def _flush_tracking(self):
        """Tracking values are written at commit time; run that step now."""
        self.env.flush_all()
        self.env.cr.precommit.run()
