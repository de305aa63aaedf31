"""The pay buttons of the addon's emails stay one button on a phone (18.0.1.4.0): the link is
an inline block, so a narrow screen wraps its text inside the button instead of breaking the
button in two. The templates are `noupdate` (a shop may have edited them), so an update does
not reload them: this changes the button's style only, and only where the template still has
the style this addon shipped (an edited button is left as the shop made it), in every
language, through the ORM. Running it again changes nothing.
"""

import logging

from markupsafe import Markup

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

TEMPLATES = (
    "remote_support_billing.mail_template_rsb_deposit_request",
    "remote_support_billing.mail_template_rsb_payment_plan_schedule",
    "remote_support_billing.mail_template_rsb_payment_plan_broken",
    "remote_support_billing.mail_template_rsb_session_scheduled",
)
OLD_STYLE = (
    'style="background-color: #875A7B; padding: 8px 16px; color: #fff; border-radius: 5px; '
    'text-decoration: none;"'
)
NEW_STYLE = (
    'style="display: inline-block; background-color: #875A7B; padding: 8px 16px; color: #fff; '
    'border-radius: 5px; text-decoration: none;"'
)


def restyle_pay_buttons(env):
    """:return: the templates changed"""
    changed = env["mail.template"]
    langs = [code for code, _name in env["res.lang"].get_installed()]
    for xmlid in TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if not template:
            continue
        for lang in ["en_US", *[code for code in langs if code != "en_US"]]:
            localized = template.with_context(lang=lang)
            body = str(localized.body_html or "")  # Markup.replace would escape the quotes
            if OLD_STYLE in body:
                localized.write({"body_html": Markup(body.replace(OLD_STYLE, NEW_STYLE))})
                changed |= template
    _logger.info("Pay buttons restyled in %s email templates", len(changed))
    return changed


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    restyle_pay_buttons(env)
