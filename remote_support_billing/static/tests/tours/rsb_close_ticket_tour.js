import { registry } from "@web/core/registry";

// A portal client closes their own ticket with the button of the ticket page (a POST form
// with the CSRF token: /ticket/close refuses a GET).
registry.category("web_tour.tours").add("rsb_close_ticket_tour", {
    steps: () => [
        {
            content: "Close the ticket with the 'Done' button",
            trigger: "div[name='ticket_close_buttons'] form[method='POST'] button:contains('Done')",
            run: "click",
        },
        {
            content: "Back on the ticket page, closed: no close button any more",
            trigger: "body:has(.o_portal_helpdesk_sidebar):not(:has(div[name='ticket_close_buttons']))",
        },
    ],
});
