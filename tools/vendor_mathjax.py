"""Install MathJax 3 from the npm registry into .vendor/static/mathjax, so the book typesets its
mathematics without loading anything from a CDN (see _ext/offline_assets.py), and the components that
typeset in node into .vendor/node/mathjax (the build pre-renders every formula: _ext/math_prerender.py).

    python tools/vendor_mathjax.py            # what `make book` / `make test` run

The version and the tarball's sha512 (the registry's `dist.integrity`) are pinned below: a tarball that
does not match is refused. Only what a browser needs is kept: the combined TeX+MathML/CHTML component,
the TeX extensions it autoloads, the CHTML fonts, and the menu's accessibility components. Nothing
here is committed (.vendor/ is git-ignored).
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "3.2.2"
INTEGRITY = "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
ENTRY = "tex-mml-chtml.js"
# paths inside the package's es5/ folder that are served
KEEP = (ENTRY, "input/", "output/chtml/", "a11y/", "ui/", "sre/")
# paths inside es5/ that node needs to pre-render TeX to CHTML at build time (not served)
NODE_KEEP = ("startup.js", "core.js", "loader.js", "input/tex-full.js", "output/chtml.js", "output/chtml/fonts/tex.js",
             "adaptors/liteDOM.js", "a11y/assistive-mml.js")

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / ".vendor" / "static" / "mathjax"
NODE_DEST = ROOT / ".vendor" / "node" / "mathjax"


def installed() -> bool:
    return all((d / entry).is_file() and (d / "VERSION").is_file() and (d / "VERSION").read_text().strip() == VERSION
               for d, entry in ((DEST, ENTRY), (NODE_DEST, "startup.js")))


def fetch_tarball(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm (Node.js) is needed to install MathJax from the npm registry: "
                 "install it (Debian: apt-get install npm) and run make again.")
    subprocess.run([npm, "pack", f"mathjax@{VERSION}", "--pack-destination", str(workdir),
                    "--silent", "--no-audit", "--no-fund"], check=True, cwd=workdir, stdout=subprocess.DEVNULL)
    tarball = workdir / f"mathjax-{VERSION}.tgz"
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"mathjax-{VERSION}.tgz: integrity mismatch ({digest} != {INTEGRITY})")
    return tarball


def extract(tarball: Path, dest: Path, keep=KEEP) -> int:
    count = 0
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name
            if name == "package/LICENSE":
                rel = "LICENSE"
            elif name.startswith("package/es5/") and name[len("package/es5/"):].startswith(keep):
                rel = name[len("package/es5/"):]
            else:
                continue
            if not member.isfile() or ".." in Path(rel).parts:
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            count += 1
    return count


def main() -> None:
    if installed() and "--force" not in sys.argv:
        print(f"MathJax {VERSION} already in {DEST.relative_to(ROOT)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tarball = fetch_tarball(Path(tmp))
        for dest, keep, entry in ((DEST, KEEP, ENTRY), (NODE_DEST, NODE_KEEP, "startup.js")):
            staging = Path(tmp) / dest.parent.name
            n = extract(tarball, staging, keep)
            if not (staging / entry).is_file():
                sys.exit(f"mathjax-{VERSION}.tgz has no es5/{entry}")
            (staging / "VERSION").write_text(VERSION + "\n")
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging), dest)
            print(f"MathJax {VERSION}: {n} files in {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
