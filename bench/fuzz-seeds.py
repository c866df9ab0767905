#!/usr/bin/env python3
"""Seeds for bench/fuzz.sh: writes a starting corpus for each fuzz target into
fuzz/corpus/<target>/, from the inputs the test suite uses (string literals
of the tests that are version files, settings, build configs) and from the
formats the tool writes (publish records, lockfiles), so each run starts
past the first parse. Nothing binary is committed: this script is the corpus.
    bench/fuzz-seeds.py CORPUS_DIR TARGET..."""
import base64, hashlib, io, json, os, re, sys, tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = sys.argv[1]
TARGETS = sys.argv[2:]
KEY = "ubuntu-22.04-python-3.11.2"


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1] if i + 1 < len(body) else ""
        if n in ESCAPES:
            out.append(ESCAPES[n])
            i += 2
        elif n == "\n":  # a continued line: the next line's indent goes
            i += 2
            while i < len(body) and body[i] in " \t\n":
                i += 1
        elif n == "x":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif n == "u":
            end = body.index("}", i)
            out.append(chr(int(body[i + 3 : end], 16)))
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def literals(*globs):
    """Every string literal of the named Rust files, as the program sees it."""
    import glob

    found = []
    for pattern in globs:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            text = open(path, encoding="utf-8").read()
            for m in re.finditer(r'r(#+)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', text, re.S):
                raw = m.group(2)
                found.append(raw if raw is not None else unescape(m.group(3)))
    return found


def seed_all(target, texts, limit=400):
    seen = set()
    for text in texts:
        if text in seen or len(seen) >= limit:
            continue
        seen.add(text)
        put(target, "t-" + hashlib.sha1(text.encode()).hexdigest()[:16], text)


def record(key=KEY, schema=2, formats=("zst",), bad_object=False):
    archives = []
    for fmt in formats:
        digest = hashlib.sha256(fmt.encode()).hexdigest()
        obj = f"sha256/{digest}.tar.{fmt}" if not bad_object else f"../{digest}"
        archives.append({"format": fmt, "object": obj, "sha256": digest, "size": 1234})
    build = {
        "schema": 1, "tool": "python", "version": "3.11.2", "os": "ubuntu-22.04",
        "arch": "x86_64", "libc": "glibc", "build_prefix": "/home/docs/.asdf/installs/python/3.11.2",
        "build_options": ["--enable-shared"], "sha256": {a["format"]: a["sha256"] for a in archives},
        "created_by": "tool 0.1.0", "packages": ["pip==23.0.1"],
    }
    return json.dumps({"schema": schema, "key": key, "build": build, "archives": archives}, indent=2)


def envelope(payload, signatures=()):
    return json.dumps({
        "payload": base64.b64encode(payload.encode()).decode(),
        "payloadType": "application/vnd.tool.cache-manifest+json",
        "signatures": [{"keyid": k, "sig": s} for k, s in signatures],
    }, indent=2)


def publish_record():
    payloads = {
        "plain": record(), "two": record(formats=("zst", "gz")), "other-key": record(key="x-python-1"),
        "schema1": record(schema=1), "outside": record(bad_object=True), "none": record(formats=()),
    }
    for name, p in payloads.items():
        put("publish_record", f"sealed-{name}", b"\x01" + p.encode())
        put("publish_record", f"unsigned-{name}", b"\x02" + p.encode())
        put("publish_record", f"untrusting-{name}", b"\x05" + p.encode())
    sig = base64.b64encode(bytes(64)).decode()
    put("publish_record", "raw-unsigned", b"\x00" + envelope(record()).encode())
    put("publish_record", "raw-forged", b"\x00" + envelope(record(), [("fuzz", sig)]).encode())
    put("publish_record", "raw-stranger", b"\x00" + envelope(record(), [("someone", sig)]).encode())


def lockfile():
    header = "# Written by `tool lock`: the exact bytes each tool installs.\n\n"
    sha = hashlib.sha256(b"x").hexdigest()
    entries = [
        f'[[tool]]\ntool = "python"\nversion = "3.9.6"\nbackend = "cache"\nplatform = "ubuntu-20.04/x86_64"\n'
        f'source = "file:///bucket/{KEY}.manifest sha256/{sha}.tar.zst"\nsha256 = "{sha}"\nsize = 123\nsigned_by = "ci"\n',
        '[[tool]]\ntool = "nodejs"\nversion = "20.11.0"\nbackend = "upstream"\n'
        f'source = "https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz"\nsha256 = "{sha}"\n',
        '[[tool]]\ntool = "dummy"\nversion = "1.0.0"\nbackend = "plugin"\nnote = "an asdf plugin: version only"\n',
        f'[[tool]]\ntool = "python"\nversion = "3.9.6"\nbackend = "cache"\nplatform = "debian-12/aarch64"\nsha256 = "{sha}"\n',
    ]
    put("lockfile", "all", header + "\n".join(entries))
    for i, e in enumerate(entries):
        put("lockfile", f"one-{i}", header + e)
    seed_all("lockfile", [t for t in literals("src/lockfile.rs", "tests/it/lockfile.rs") if "[[tool]]" in t or "tool =" in t])


def readthedocs():
    texts = literals("src/config/readthedocs/*.rs", "tests/it/readthedocs.rs", "tests/it/harness/readthedocs.rs",
                     "tests/it/conda.rs", "tests/it/cache_plan.rs", "tests/it/service_archives.rs")
    seed_all("readthedocs", [t for t in texts if re.search(r"^\s*(build|version|tools|os)\s*:", t, re.M)])
    # The alias bomb of issue 30 (refused by the node cap, at its line).
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh"))
    put("readthedocs", "alias-bomb", "version: 2\n" + bomb)
    put("readthedocs", "anchors", "version: 2\nbuild: &b\n  os: ubuntu-22.04\n  tools: &t\n    python: \"3.12\"\nother: [*b, *t]\n")


def settings_lines():
    texts = literals("tests/it/*.rs", "src/config/settings/*.rs", "tool-shim/src/**/*.rs")
    return [t for t in texts if re.search(r"^\s*\[?[a-z_]+[a-z_.\]]*\s*=", t, re.M)]


def settings():
    lines = settings_lines()
    rc = [t for t in lines if "[" not in t]
    toml = [t for t in lines if '"' in t or "[" in t] or lines
    table = open(os.path.join(ROOT, "plugins/readthedocs.toml"), encoding="utf-8").read()[:2048]
    seeds = [f"{a}\0{b}" for a, b in zip(rc, toml)] + [f"\0{b}" for b in toml] + [f"{a}\0" for a in rc]
    seeds.append("legacy_version_file = yes\n\0readthedocs_config = true\n\0" + table)
    seed_all("settings_files", seeds)
    # The older target splits its input in half: .asdfrc, then config.toml.
    seed_all("settings", [a + b if len(a) == len(b) else a.ljust(len(b)) + b for a, b in zip(rc, toml)])


def tool_versions():
    texts = literals("tests/it/*.rs", "src/config/tool_versions.rs")
    seed_all("tool_versions", [t for t in texts if re.fullmatch(r"(\s*(#.*)?|\s*[a-z][a-z0-9_-]* .+)(\r?\n(\s*(#.*)?|\s*[a-z][a-z0-9_-]* .+))*\r?\n?", t) and " " in t])


def version_order():
    for i, (a, b, c) in enumerate([("3.9.6", "3.10.0", "3.9"), ("1.0.0-rc1", "1.0.0", "latest:1"),
                                   ("2.1.0-rc1", "main", "ref:v1"), ("miniforge3-24.1.2", "3.12.0a1", "3.12.0b2")]):
        put("version_order", f"v{i}", f"{a}\n{b}\n{c}")


def archive_unpack():
    def archive(name, members):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
            for path, kind, target, data in members:
                info = tarfile.TarInfo(path)
                info.type = {"file": tarfile.REGTYPE, "link": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE, "dir": tarfile.DIRTYPE}[kind]
                info.linkname, info.size, info.mode = target, len(data), 0o755
                t.addfile(info, io.BytesIO(data) if data else None)
        put("archive_unpack", name, buf.getvalue())

    f = ("1.0/bin/python", "file", "", b"#!/bin/sh\n")
    archive("plain", [("1.0/", "dir", "", b""), f, ("1.0/bin/python3", "link", "python", b"")])
    archive("chain-root", [f, ("1.0/b", "link", ".", b""), ("1.0/root", "link", "b/b/b/../..", b""), ("1.0/root/x", "file", "", b"x")])
    archive("chain-up", [f, ("1.0/s/up", "link", "..", b""), ("1.0/s/up/up2", "link", "..", b""), ("1.0/s/up/up2/X", "link", ".", b"")])
    archive("hardlink-through", [f, ("1.0/d", "link", "..", b""), ("1.0/d/h", "hard", "1.0/bin/python", b"")])
    archive("long-name", [f, ("1.0/" + "n" * 300, "file", "", b"long")])
    archive("dot-slash", [("./1.0/", "dir", "", b""), ("./1.0/bin/python", "file", "", b"#!/bin/sh\n")])


SEEDERS = {
    "publish_record": publish_record, "lockfile": lockfile, "readthedocs": readthedocs,
    "settings_files": settings, "settings": settings, "tool_versions": tool_versions,
    "version_order": version_order, "archive_unpack": archive_unpack,
}
done = set()
for t in TARGETS:
    seeder = SEEDERS.get(t)
    if seeder and seeder not in done:
        done.add(seeder)
        seeder()
