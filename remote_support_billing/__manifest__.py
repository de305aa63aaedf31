# Copyright 2026 remote_support_billing authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Remote Support Billing",
    "summary": "Deposits before scheduling, timesheet settle-up, trusted clients "
    "and dunning for businesses that bill by the hour",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/remote-support-billing/remote_support_billing",
    "author": "remote_support_billing authors",
    "maintainers": ["remote-support-billing"],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "depends": [
        "helpdesk_mgmt_timesheet",
        "account_payment",
        "portal",
        "hr_timesheet",
        "mail",
    ],
    "external_dependencies": {"python": [], "bin": ["wkhtmltopdf"]},
    "data": [
        "security/remote_support_billing_security.xml",
        "security/ir.model.access.csv",
        "security/rsb_receivables_security.xml",
        "data/mail_template_data.xml",
        "data/rsb_payment_plan_data.xml",
        "data/rsb_payment_plan_mail_template_data.xml",
        "views/res_partner_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_stage_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_config_settings_views.xml",
        "views/rsb_payment_plan_views.xml",
        "views/rsb_receivable_aging_report_views.xml",
        "views/rsb_deposit_held_report_views.xml",
        "views/rsb_collections_report_views.xml",
        "views/res_config_settings_receivables_views.xml",
        "views/rsb_portal_templates.xml",
        "wizards/rsb_dso_wizard_views.xml",
        "wizards/rsb_receivables_dashboard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "remote_support_billing/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "demo": [
        "demo/remote_support_billing_demo.xml",
    ],
}
