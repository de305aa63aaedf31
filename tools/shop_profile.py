# The "shop" install profile's own data, run by tools/lib.sh (`odoo shell` on the shop template,
# after its modules are installed): a 10% sales tax on services, the company's default sale tax,
# so every service product created afterwards (the teams' hourly products, the fee product) is
# taxed as in a shop that charges sales tax on time. Booked like the chart's own sale tax (the
# generic chart's tax accounts), price excluded.
company = env.ref("base.main_company")  # noqa: F821 (odoo shell's env)
Tax = env["account.tax"]  # noqa: F821
chart_tax = company.account_sale_tax_id
assert chart_tax and chart_tax.type_tax_use == "sale", "the chart of accounts has no sale tax"
tax = Tax.search([("company_id", "=", company.id), ("name", "=", "Sales Tax 10%")], limit=1)
if not tax:
    tax = chart_tax.copy({"name": "Sales Tax 10%", "amount": 10.0, "description": "10%"})
company.account_sale_tax_id = tax
# every product that already exists and sells services gets it too (none is ours yet: the addon
# is installed later, on a copy of this template)
services = env["product.template"].search([("type", "=", "service"), ("sale_ok", "=", True)])  # noqa: F821
services.write({"taxes_id": [(6, 0, tax.ids)]})
env.cr.commit()  # noqa: F821
print(f"shop profile: {tax.name} ({tax.amount}%) is {company.name}'s default sale tax")
