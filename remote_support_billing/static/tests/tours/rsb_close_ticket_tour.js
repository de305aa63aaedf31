import { registry } from "@web/core/registry";

// A portal client closes their own ticket from the ticket page: the 'Done' button opens what
// closing does and asks why; the client gives the reason and confirms (a POST form with the
// CSRF token: /ticket/close refuses a GET).
registry.category("web_tour.tours").add("rsb_close_ticket_tour", {
    steps: () => [
        {
            content: "Open the 'Done' close: nothing is closed by this click",
            trigger: "div[name='ticket_close_buttons'] form[method='POST'] summary:contains('Done')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "div[name='ticket_close_buttons'] details[open] textarea[name='rsb_reason']",
            run: "edit The printer works again",
        },
        {
            content: "Confirm",
            trigger: "div[name='ticket_close_buttons'] details[open] button:contains('Confirm: Done')",
            run: "click",
        },
        {
            content: "Back on the ticket page, closed: no close button any more",
            trigger: "body:has(.o_portal_helpdesk_sidebar):not(:has(div[name='ticket_close_buttons']))",
        },
    ],
});
