from . import (
    account_analytic_line,
    account_move,
    helpdesk_ticket,
    helpdesk_ticket_stage,
    helpdesk_ticket_team,
    payment_transaction,
    res_company,
    res_config_settings,
    res_partner,
    rsb_agreement,
    rsb_agreement_acceptance,
)
