"""Install hook: every company with a chart of accounts gets its Customer Deposits account."""


def post_init_hook(env):
    """Give every company that already has a chart of accounts its deposit account."""
    for company in env["res.company"].search([("chart_template", "!=", False)]):
        company._rsb_get_deposit_account()
