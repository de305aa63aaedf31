/** @odoo-module **/
// A remote-support shop's day, one tour per user (tests/test_day_tours.py sets the data up):
// the technician requests a deposit and schedules a paid session, the manager cancels a
// session and returns its deposit, the accountant sees a client's status and settles up, the
// client reads the session's time and how to connect in the portal.
import { registry } from "@web/core/registry";

function openCard(name) {
    return {
        content: `Open the ticket "${name}"`,
        trigger: `.o_kanban_record:contains("${name}")`,
        run: "click",
    };
}

registry.category("web_tour.tours").add("rsb_day_technician", {
    steps: () => [
        {
            content: "The list shows each ticket's deposit state",
            trigger: '.o_list_view .o_data_row:contains("Printer offline") .badge:contains("Paid")',
        },
        {
            content: "Switch to the kanban",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The kanban card shows the deposit state",
            trigger: '.o_kanban_record:contains("Printer offline") .badge:contains("Paid")',
        },
        openCard("Printer offline"),
        {
            content: "The deposit is paid: schedule the session",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_rsb_schedule_session"]:contains("Schedule Session")',
            run: "click",
        },
        {
            content: "The wizard proposes a time and the technician",
            trigger: '.modal .o_field_widget[name="user_id"] input',
        },
        {
            content: "and shows the technician's day: the call already booked, not overlapping",
            trigger: '.modal .o_field_widget[name="availability_html"]:contains("Dentist office call"):not(:contains("overlaps"))',
        },
        {
            content: "Book it",
            trigger: '.modal footer button[name="action_confirm"]:contains("Schedule")',
            run: "click",
        },
        {
            content: "The session is on the ticket",
            trigger: '.o_form_view button[name="action_rsb_view_session"]',
        },
        {
            content: "The ticket is in Scheduled",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Scheduled")',
        },
        {
            content: "Back to the tickets",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        openCard("Email not syncing"),
        {
            content: "A new client must prepay: the banner says so",
            trigger: '.o_form_view .o_rsb_client_status:contains("Must prepay")',
        },
        {
            content: "No session before the deposit",
            trigger: '.o_form_view:not(:has(button[name="action_rsb_schedule_session"])) button[name="action_rsb_request_deposit"]',
        },
        {
            content: "Request the deposit",
            trigger: '.o_form_view button[name="action_rsb_request_deposit"]',
            run: "click",
        },
        {
            content: "The deposit is requested",
            trigger: '.o_form_view:not(:has(button[name="action_rsb_request_deposit"])) .o_notebook',
        },
    ],
});

registry.category("web_tour.tours").add("rsb_day_manager", {
    steps: () => [
        {
            content: "Open the booked session",
            trigger: '.o_form_view button[name="action_rsb_schedule_session"]:contains("Reschedule")',
            run: "click",
        },
        {
            content: "Say why",
            trigger: '.modal .o_field_widget[name="reason"] textarea',
            run: "edit The client sold the printer",
        },
        {
            content: "Also return the deposit",
            trigger: '.modal .o_field_widget[name="release_deposit"] input',
            run: "click",
        },
        {
            content: "Cancel the appointment",
            trigger: '.modal footer button[name="action_cancel_appointment"]',
            run: "click",
        },
        {
            content: "The cancel-session wizard has the reason",
            trigger: '.modal .o_field_widget[name="reason"] textarea:value("The client sold the printer")',
        },
        {
            content: "Cancel the session: the deposit is returned",
            trigger: '.modal footer button[name="action_confirm"]:contains("Cancel Session")',
            run: "click",
        },
        {
            content: "No session any more",
            trigger: '.o_form_view:not(:has(button[name="action_rsb_view_session"])):not(:has(.modal))',
        },
    ],
});

// The manager waives a requested deposit (an emergency): the reason is asked, the client is
// told in the chatter that there is nothing to pay, and the ticket may be scheduled.
registry.category("web_tour.tours").add("rsb_day_manager_waive", {
    steps: () => [
        {
            content: "The deposit is requested: waive it",
            trigger: '.o_form_view button[name="action_rsb_waive_deposit"]',
            run: "click",
        },
        {
            content: "Say why",
            trigger: '.modal .o_field_widget[name="reason"] input, .modal .o_field_widget[name="reason"] textarea',
            run: "edit Server down: the owner confirmed by phone",
        },
        {
            content: "Waive the deposit",
            trigger: '.modal footer button[name="action_confirm"]:contains("Waive Deposit")',
            run: "click",
        },
        {
            content: "The client is told there is nothing to pay",
            trigger: '.o-mail-Message:contains("no deposit is needed")',
        },
        {
            content: "No waive button any more: the session can be scheduled",
            trigger: '.o_form_view:not(:has(.modal)):not(:has(button[name="action_rsb_waive_deposit"])) button[name="action_rsb_schedule_session"]',
        },
    ],
});

registry.category("web_tour.tours").add("rsb_day_accountant", {
    steps: () => [
        {
            content: "The client has an overdue invoice: the banner gives the amount",
            trigger: '.o_form_view .o_rsb_client_status.alert-warning:contains("Overdue"):contains("172.00")',
        },
        {
            content: "Open the Billing page",
            trigger: '.o_notebook a[name="rsb_billing"], .o_notebook .nav-link:contains("Billing")',
            run: "click",
        },
        {
            content: "Settle up",
            trigger: '.o_form_view button[name="action_rsb_settle"]',
            run: "click",
        },
        {
            content: "The confirmation shows the figures before anything is booked",
            trigger: '.modal .o_field_widget[name="to_charge"]',
        },
        {
            content: "Confirm",
            trigger: ".modal footer .btn-primary",
            run: "click",
        },
        {
            content: "The Billing page shows what was billed",
            trigger: '.o_form_view .o_field_widget[name="rsb_billed_amount"]:contains("107.50")',
        },
    ],
});

registry.category("web_tour.tours").add("rsb_day_client", {
    steps: () => [
        {
            content: "The ticket shows the session's time",
            trigger: "#rsb_session #rsb_session_time",
        },
        {
            content: "and how to connect",
            trigger: '#rsb_connect_instructions:contains("remote.example/join")',
        },
        {
            content: "The deposit is received",
            trigger: "#rsb_deposit_paid",
        },
        {
            content: "Open the account summary",
            trigger: "body",
            run: "goToUrl /my/account-summary",
        },
        {
            content: "The deposit held names its ticket",
            trigger: '.o_rsb_held_ticket:contains("Printer offline")',
        },
    ],
});
