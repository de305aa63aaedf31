"""Generate the addon's README.rst (and static/description/index.html) from its readme/ fragments,
in the format of OCA's `oca-gen-addon-readme` (maintainer-tools, AGPL-3), which is not on PyPI:
the same template, badges, sections and source digest, so the files read like any OCA addon's.

    python tools/gen_addon_readme.py --org-name ORG --repo-name REPO --branch 18.0 --addon-dir DIR
"""

import argparse
import hashlib
import os
import re

from docutils.core import publish_file
from jinja2 import Template

FRAGMENTS = {  # name: heading level of the fragment inside README.rst
    "DESCRIPTION": 2,
    "CONTEXT": 2,
    "INSTALL": 2,
    "CONFIGURE": 2,
    "USAGE": 2,
    "ROADMAP": 2,
    "DEVELOP": 2,
    "CONTRIBUTORS": 3,
    "CREDITS": 3,
    "HISTORY": 2,
}
STATUS = "https://odoo-community.org/page/development-status"
DEVELOPMENT_STATUS_BADGES = {
    "mature": ("https://img.shields.io/badge/maturity-Mature-brightgreen.png", STATUS, "Mature"),
    "production/stable": (
        "https://img.shields.io/badge/maturity-Production%2FStable-green.png",
        STATUS,
        "Production/Stable",
    ),
    "beta": ("https://img.shields.io/badge/maturity-Beta-yellow.png", STATUS, "Beta"),
    "alpha": ("https://img.shields.io/badge/maturity-Alpha-red.png", STATUS, "Alpha"),
}
LICENSE_BADGES = {
    "AGPL-3": (
        "https://img.shields.io/badge/license-AGPL--3-blue.png",
        "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
        "License: AGPL-3",
    ),
    "LGPL-3": (
        "https://img.shields.io/badge/license-LGPL--3-blue.png",
        "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        "License: LGPL-3",
    ),
    "GPL-3": (
        "https://img.shields.io/badge/license-GPL--3-blue.png",
        "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
        "License: GPL-3",
    ),
}
# as readme_renderer (PyPI) and oca-gen-addon-readme render reStructuredText
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}
PANDOC_MARKDOWN_FORMAT = "gfm-raw_html-gfm_auto_identifiers"
TEMPLATE = os.path.join(os.path.dirname(__file__), "gen_addon_readme.rst.jinja")


def source_digest(addon_dir):
    """sha256 over the manifest and the readme/ files (names and contents), as OCA computes it."""
    digest = hashlib.sha256()
    paths = ["__manifest__.py"]
    for dirpath, dirnames, filenames in os.walk(os.path.join(addon_dir, "readme")):
        dirnames.sort()
        rel = os.path.relpath(dirpath, addon_dir)
        paths += [os.path.join(rel, f) for f in sorted(filenames) if not f.startswith(".")]
    for path in paths:
        digest.update(path.encode())
        with open(os.path.join(addon_dir, path), "rb") as f:
            digest.update(f.read())
    return f"sha256:{digest.hexdigest()}"


def fragment_rst(addon_dir, name, org, repo, branch, addon):
    """The fragment as reStructuredText (Markdown goes through pandoc), images made absolute."""
    base = os.path.join(addon_dir, "readme", name)
    if os.path.exists(base + ".rst"):
        with open(base + ".rst", encoding="utf-8") as f:
            text = f.read()
    elif os.path.exists(base + ".md"):
        import pypandoc  # pypandoc-binary: pandoc inside the wheel (tools/readme.sh installs it)

        text = pypandoc.convert_file(
            base + ".md",
            format=PANDOC_MARKDOWN_FORMAT,
            to="rst",
            extra_args=[f"--shift-heading-level-by={FRAGMENTS[name] - 2}"],
            sandbox=True,
        )
    else:
        return None
    if not text.strip():
        return None
    url = f"https://raw.githubusercontent.com/{org}/{repo}/{branch}/{addon}/"
    image = re.compile(r"(\.\. (?:figure|image)::\s+)(?!http)(?:\.\./)*(\S+)")
    text = image.sub(lambda m: m.group(1) + url + m.group(2), text)
    return text if text.endswith("\n") else text + "\n"


def generate(org, repo, branch, addon_dir, gen_html=True, if_source_changed=False):
    """Write README.rst (and index.html); with if_source_changed, only when the manifest or
    the fragments changed since the last generation (the digest in README.rst tells)."""
    addon_dir = os.path.abspath(addon_dir)
    addon = os.path.basename(addon_dir)
    readme = os.path.join(addon_dir, "README.rst")
    digest = source_digest(addon_dir)
    if if_source_changed and os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            if f"!! source digest: {digest}" in f.read():
                return None
    with open(os.path.join(addon_dir, "__manifest__.py"), encoding="utf-8") as f:
        import ast

        manifest = ast.literal_eval(f.read())
    md = any(os.path.exists(os.path.join(addon_dir, "readme", n + ".md")) for n in FRAGMENTS)
    fragments = {}
    for name in FRAGMENTS:
        text = fragment_rst(addon_dir, name, org, repo, branch, addon)
        if text:
            fragments[name] = text
    status = manifest.get("development_status", "Beta").lower()
    badges = []
    if status in DEVELOPMENT_STATUS_BADGES:
        badges.append(DEVELOPMENT_STATUS_BADGES[status])
    if manifest.get("license") in LICENSE_BADGES:
        badges.append(LICENSE_BADGES[manifest["license"]])
    badges.append(
        (
            f"https://img.shields.io/badge/github-{org.replace('-', '--')}%2F"
            f"{repo.replace('-', '--')}-lightgray.png?logo=github",
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon}",
            f"{org}/{repo}",
        )
    )
    authors = [a.strip() for a in manifest.get("author", "").split(",") if "(OCA)" not in a]
    with open(TEMPLATE, encoding="utf-8") as f:
        template = Template(f.read())
    with open(readme, "w", encoding="utf-8") as f:
        f.write(
            template.render(
                addon_name=addon,
                authors=authors,
                badges=badges,
                branch=branch,
                fragments=fragments,
                manifest=manifest,
                org_name=org,
                repo_name=repo,
                development_status=status,
                source_digest=digest,
                level3_underline="-" if md else "~",
            )
        )
    if gen_html:
        index_dir = os.path.join(addon_dir, "static", "description")
        os.makedirs(index_dir, exist_ok=True)
        index = os.path.join(index_dir, "index.html")
        publish_file(
            source_path=readme,
            destination_path=index,
            writer_name="html4css1",
            settings_overrides=RST2HTML_SETTINGS,
        )
        with open(index, "rb") as f:
            html = f.read()
        # no docutils version in the page: upgrading docutils must not change it
        html = re.sub(rb"(<meta.*generator.*Docutils)\s*[\d.]+", rb"\1", html)
        with open(index, "wb") as f:
            f.write(html)
    return readme


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org-name", required=True)
    parser.add_argument("--repo-name", required=True)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--addon-dir", required=True)
    parser.add_argument("--no-gen-html", action="store_true")
    parser.add_argument("--if-source-changed", action="store_true")
    args = parser.parse_args()
    readme = generate(
        args.org_name,
        args.repo_name,
        args.branch,
        args.addon_dir,
        gen_html=not args.no_gen_html,
        if_source_changed=args.if_source_changed,
    )
    if readme:
        print(f"generated {readme}")


if __name__ == "__main__":
    main()
