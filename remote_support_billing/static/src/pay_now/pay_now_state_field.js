/** @odoo-module **/
// The state of a ticket's pay-now request (waiting, processing, paid, failed), live: the form
// subscribes to its ticket's bus channel (granted by ir.websocket to who may read the ticket)
// and reloads the ticket when the server says the payment moved, without the user reloading.
// While the payment is awaited, the form also checks every few seconds, for a server whose
// websocket is not reachable (a proxy without it; Odoo's test mode).
import { Component, onWillDestroy, useEffect } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export const PAY_NOW_BUS_TYPE = "remote_support_billing/pay_now";

const DECORATIONS = {
    pending: "text-bg-warning",
    processing: "text-bg-info",
    failed: "text-bg-danger",
    paid: "text-bg-success",
    cancelled: "text-bg-secondary",
};

export class RsbPayNowStateField extends Component {
    static template = "remote_support_billing.PayNowStateField";
    static props = {
        ...standardFieldProps,
        interval: { type: Number, optional: true },
    };
    static defaultProps = { interval: 4000 };

    setup() {
        this.busService = useService("bus_service");
        this.onNotification = this.onNotification.bind(this);
        this.busService.subscribe(PAY_NOW_BUS_TYPE, this.onNotification);
        onWillDestroy(() => this.busService.unsubscribe(PAY_NOW_BUS_TYPE, this.onNotification));
        useEffect(
            (resId) => {
                if (!resId) {
                    return;
                }
                const channel = `rsb_pay_now:${resId}`;
                this.busService.addChannel(channel);
                return () => this.busService.deleteChannel(channel);
            },
            () => [this.props.record.resId]
        );
        useEffect(
            (waiting) => {
                if (!waiting) {
                    return;
                }
                const timer = setInterval(() => this.refresh(), this.props.interval);
                return () => clearInterval(timer);
            },
            () => [this.waiting]
        );
    }

    async refresh() {
        const record = this.props.record;
        if (record.dirty) {
            return; // never throw away what the user typed: the state shows at the next save
        }
        await record.load();
    }

    get value() {
        return this.props.record.data[this.props.name];
    }

    get waiting() {
        return ["pending", "processing"].includes(this.value);
    }

    get label() {
        const selection = this.props.record.fields[this.props.name].selection;
        const item = selection.find(([key]) => key === this.value);
        return item ? item[1] : "";
    }

    get decoration() {
        return DECORATIONS[this.value] || "text-bg-secondary";
    }

    async onNotification(payload) {
        const record = this.props.record;
        if (!payload || payload.ticket_id !== record.resId) {
            return;
        }
        await this.refresh();
    }
}

export const rsbPayNowStateField = {
    component: RsbPayNowStateField,
    displayName: _t("Pay-now state (live)"),
    supportedTypes: ["selection"],
    extractProps: ({ options }) => ({
        interval: options.interval,
    }),
};

registry.category("fields").add("rsb_pay_now_state", rsbPayNowStateField);
