/** @odoo-module **/

import { registry } from "@web/core/registry";

function openReport(menuXmlid) {
    return [
        {
            content: "Open Invoicing > Reporting",
            trigger: '.o_menu_sections [data-menu-xmlid="account.menu_finance_reports"]',
            run: "click",
        },
        {
            content: `Open ${menuXmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid="remote_support_billing.${menuXmlid}"]`,
            run: "click",
        },
    ];
}

// The accountant walks through the receivables screens: dashboard, aging (list, pivot,
// graph), DSO, deposits held, collections, and a payment plan's schedule.
registry.category("web_tour.tours").add("rsb_receivables_backend", {
    url: "/odoo/action-remote_support_billing.rsb_receivables_dashboard_action",
    steps: () => [
        {
            content: "The dashboard shows the overdue total",
            trigger: '.o_form_view .o_field_widget[name="amount_overdue"]:contains("900.00")',
        },
        {
            content: "Open the overdue invoices",
            trigger: '.o_form_view button[name="action_open_overdue"]',
            run: "click",
        },
        {
            content: "The overdue invoices are listed",
            trigger: ".o_list_view .o_data_row",
        },
        ...openReport("rsb_receivable_aging_report_menu"),
        {
            content: "Aging is grouped by client",
            trigger: '.o_list_view .o_group_name:contains("Greenleaf Dental")',
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the buckets",
            trigger: '.o_pivot th:contains("31-60 Days")',
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        ...openReport("rsb_dso_wizard_menu"),
        {
            content: "Compute the DSO",
            trigger: '.o_form_view button[name="action_compute"]',
            run: "click",
        },
        {
            content: "DSO per client",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row:contains("Greenleaf Dental")',
        },
        ...openReport("rsb_deposit_held_report_menu"),
        {
            content: "Deposits and credits held",
            trigger: ".o_action_manager .o_list_view",
        },
        ...openReport("rsb_collections_report_menu"),
        {
            content: "Collections",
            trigger: ".o_action_manager .o_list_view, .o_action_manager .o_view_nocontent",
        },
        ...openReport("rsb_payment_plan_report_menu"),
        {
            content: "Open the running plan",
            trigger: '.o_list_view .o_data_row:contains("Greenleaf Dental") .o_data_cell',
            run: "click",
        },
        {
            content: "The plan shows its schedule",
            trigger: '.o_form_view .o_field_widget[name="line_ids"] .o_data_row:contains("103.53")',
        },
    ],
});

// From the client's form, the accountant drafts a plan for its overdue invoices and
// confirms it.
registry.category("web_tour.tours").add("rsb_payment_plan_backend", {
    steps: () => [
        {
            content: "New payment plan from the client",
            trigger: '.o_form_view button[name="action_rsb_new_payment_plan"]',
            run: "click",
        },
        {
            content: "See the invoices the plan covers",
            trigger: '.o_notebook .nav-link:contains("Invoices")',
            run: "click",
        },
        {
            content: "The client's overdue invoices are proposed",
            trigger: '.o_field_widget[name="invoice_ids"] .o_data_row:contains("INV/")',
        },
        {
            content: "Three instalments",
            trigger: '.o_field_widget[name="instalment_count"] input',
            run: "edit 3",
        },
        {
            content: "Confirm",
            trigger: '.o_form_view button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The plan is on track, with its schedule",
            trigger:
                '.o_statusbar_status button[aria-checked="true"]:contains("On Track")',
        },
        {
            trigger: '.o_notebook .nav-link:contains("Schedule")',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="line_ids"] .o_data_row:nth-child(3)',
        },
    ],
});
