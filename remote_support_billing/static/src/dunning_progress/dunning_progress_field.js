/** @odoo-module **/
// The progress of a dunning run executed in the background (clients processed / remaining),
// on the run's form. While the run is running, the form reloads itself every few seconds
// (the figures are computed from the lines the workers commit), and stops once it is done.
import { Component, useEffect } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class RsbDunningProgressField extends Component {
    static template = "remote_support_billing.DunningProgressField";
    static props = {
        ...standardFieldProps,
        interval: { type: Number, optional: true },
    };
    static defaultProps = { interval: 3000 };

    setup() {
        useEffect(
            (running) => {
                if (!running) {
                    return;
                }
                // the next reload is planned once the previous one is back: a slow server
                // never gets overlapping reloads
                let timer;
                let stopped = false;
                const tick = async () => {
                    try {
                        await this.refresh();
                    } finally {
                        if (!stopped) {
                            timer = setTimeout(tick, this.props.interval);
                        }
                    }
                };
                timer = setTimeout(tick, this.props.interval);
                return () => {
                    stopped = true;
                    clearTimeout(timer);
                };
            },
            () => [this.running]
        );
    }

    get running() {
        return this.props.record.data.state === "running";
    }

    get done() {
        return this.props.record.data.progress_done;
    }

    get remaining() {
        return this.props.record.data.progress_remaining;
    }

    get percent() {
        return Math.min(100, Math.max(0, this.props.record.data[this.props.name] || 0));
    }

    get label() {
        return _t("%(done)s of %(total)s clients processed, %(remaining)s remaining", {
            done: this.done,
            total: this.done + this.remaining,
            remaining: this.remaining,
        });
    }

    async refresh() {
        const record = this.props.record;
        if (record.dirty) {
            return; // never throw away what the user typed
        }
        await record.load();
    }
}

export const rsbDunningProgressField = {
    component: RsbDunningProgressField,
    displayName: _t("Dunning run progress"),
    supportedTypes: ["float"],
    fieldDependencies: [
        { name: "state", type: "selection" },
        { name: "progress_done", type: "integer" },
        { name: "progress_remaining", type: "integer" },
    ],
    extractProps: ({ options }) => ({
        interval: options.interval,
    }),
};

registry.category("fields").add("rsb_dunning_progress", rsbDunningProgressField);
