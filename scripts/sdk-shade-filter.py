#!/usr/bin/env python3
"""Writes the SDK part of every Lambda module's shade filter, from the module's list of SDK operations.

    scripts/sdk-shade-filter.py                       every module with a functions/<module>/sdk-operations.txt
    scripts/sdk-shade-filter.py functions/scaler ...  only those modules
    scripts/sdk-shade-filter.py --check               changes nothing; exits 1 when a pom is not what it would write
    scripts/sdk-shade-filter.py --repository DIR ...  reads the SDK jars from the Maven repository DIR; without it,
                                                      the one Maven uses (settings.localRepository, -Dmaven.repo.local
                                                      in MAVEN_OPTS or .mvn/maven.config included)

Run it after changing the SDK version (aws.sdk.version in the parent pom), or when an adapter calls an operation it
did not call before: add the operation to the sdk-operations.txt of every Lambda module that uses the adapter
(one line per SDK module: `<sdk module> <Operation> <Operation>...`, e.g. `dynamodb GetItem PutItem Query`).

Why: an SDK service module holds every operation's classes (EC2's alone is 23 MB compressed), and the Lambda jars
must stay under 20 MB. A client needs far less: its own package (the client, its configuration, endpoints, auth),
every model *Request class (the client's bytecode verification loads them all), every modelled *Exception (the
client maps an error code to one when AWS answers with it), every SDK class the adapters name themselves, and, for
the operations it calls, their marshallers, paginators and everything reachable from their request and response
classes. This script computes that closure from
the SDK module jars in the local Maven repository and writes it between the `sdk-filter` markers of the module's
pom. Left out: waiters, the async client, and the SDK warm-up provider (SnapStart priming, run only when asked for;
it would build the async client too).

What proves the filter: each module's ShadedJarTest (run at `verify`) starts the shaded jar in its own JVM and makes
the operations' calls against a loopback stand-in; a class left out fails there with NoClassDefFoundError.
"""
import glob
import os
import re
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- sdk-filter:begin", "<!-- sdk-filter:end -->"
INDENT = " " * 18
WARMUP_SERVICE = "META-INF/services/software.amazon.awssdk.core.warmup.SdkWarmUpProvider"


def sdk_version():
    pom = open(os.path.join(ROOT, "pom.xml"), encoding="utf-8").read()
    return re.search(r"<aws.sdk.version>([^<]+)</aws.sdk.version>", pom).group(1)


def module_version(service, version):
    """The parent pom may pin one SDK module to another version than the BOM's."""
    pom = open(os.path.join(ROOT, "pom.xml"), encoding="utf-8").read()
    pinned = re.search(r"<groupId>software.amazon.awssdk</groupId>\s*<artifactId>" + re.escape(service)
                       + r"</artifactId>\s*<version>([^<$]+)</version>", pom)
    return pinned.group(1) if pinned else version


_REPOSITORY = []


def local_repository():
    """The local Maven repository: --repository, else what Maven says it uses (help:evaluate)."""
    if not _REPOSITORY:
        try:
            # Not offline: Maven fetches the help plugin from Maven Central the first time.
            answer = subprocess.run(["mvn", "-q", "help:evaluate", "-Dexpression=settings.localRepository", "-DforceStdout"],
                                    cwd=ROOT, capture_output=True, text=True, timeout=300)
            path = answer.stdout.strip().splitlines()[-1].strip() if answer.stdout.strip() else ""
        except (OSError, subprocess.TimeoutExpired) as e:
            sys.exit(f"cannot ask Maven for its local repository ({e}); pass --repository DIR")
        if answer.returncode != 0 or not os.path.isdir(path):
            sys.exit("cannot ask Maven for its local repository (mvn help:evaluate -Dexpression=settings.localRepository "
                     f"exited {answer.returncode}); pass --repository DIR")
        _REPOSITORY.append(path)
    return _REPOSITORY[0]


def read_operations(path):
    services = {}
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) < 2:
            sys.exit(f"{path}:{number}: expected '<sdk module> <Operation>...'")
        services.setdefault(line[0], []).extend(line[1:])
    return services


def filter_lines(service, operations, version):
    version = module_version(service, version)
    jar_path = os.path.join(local_repository(), "software", "amazon", "awssdk", service, version, f"{service}-{version}.jar")
    if not os.path.exists(jar_path):
        sys.exit(f"{jar_path} is missing: build once (mvn -o package) so that Maven has the SDK {version} module {service}")
    jar = zipfile.ZipFile(jar_path)
    names = [i.filename for i in jar.infolist()]
    root = next(n for n in names if n.startswith("software/amazon/awssdk/services/") and n.endswith("Client.class")
                and n.count("/") == 5).rsplit("/", 1)[0] + "/"
    model = root + "model/"
    by_top = {}
    for n in names:
        if n.startswith(root) and n.endswith(".class"):
            by_top.setdefault(n.split("$")[0].removesuffix(".class"), []).append(n)
    always = [root + d for d in ("internal/", "transform/internal/", "auth/", "endpoints/")]
    warmup = root + "internal/warmup/"
    top_level = [c for c in by_top if "/" not in c[len(root):]]
    clients = {c for c in top_level if c.endswith("Client") and not c.endswith("AsyncClient")}
    for op in operations:
        if model + op + "Request" not in by_top:
            sys.exit(f"{service}: no operation {op} (no {model}{op}Request.class in SDK {version})")
    roots = [c for c in by_top if any(c.startswith(a) for a in always) and not c.startswith(warmup)]
    roots += [c for c in top_level if "Async" not in c]
    roots += [c for c in by_top if c.startswith(model) and c.endswith("Exception")]
    roots += [model + op + suffix for op in operations for suffix in ("Request", "Response")]
    roots += [root + "transform/" + op + "RequestMarshaller" for op in operations]
    roots += [root + "paginators/" + op + "Iterable" for op in operations]
    package = root.split("/")[4]
    ref = re.compile(rb"software/amazon/awssdk/services/" + re.escape(package.encode()) + rb"/[A-Za-z0-9_/]+")
    roots += [m.decode().split("$")[0] for m in ref.findall(adapter_bytes())]
    kept, todo = set(), list(roots)
    while todo:
        top = todo.pop()
        if top in kept or top not in by_top:
            continue
        kept.add(top)
        if top in clients:
            continue  # the client names every operation: the *Request classes are kept for its verification, no more
        for n in by_top[top]:
            todo.extend(m.decode().split("$")[0] for m in ref.findall(jar.read(n)))
    if any("Async" in c for c in kept):
        sys.exit(f"{service}: a kept class reaches the async client: " + ", ".join(sorted(c for c in kept if "Async" in c)))
    picked = sorted(c for c in kept if not any(c.startswith(a) for a in always) and "/" in c[len(root):])
    lines = ["<filter>", f"  <artifact>software.amazon.awssdk:{service}</artifact>", "  <includes>"]
    for pattern in ["META-INF/**", root + "*"] + [a + "**" for a in always] + [model + "*Request.class"]:
        lines.append(f"    <include>{pattern}</include>")
    for c in picked:
        lines += [f"    <include>{c}.class</include>", f"    <include>{c}$*</include>"]
    lines += ["  </includes>", "  <excludes>", f"    <exclude>{root}*Async*</exclude>", f"    <exclude>{root}waiters/**</exclude>",
              f"    <exclude>{warmup}**</exclude>", f"    <exclude>{WARMUP_SERVICE}</exclude>", "  </excludes>", "</filter>"]
    return lines, len(picked)


_ADAPTERS = []


def adapter_bytes():
    """The adapters' compiled classes: every SDK class they name directly is kept too (an enum a static field holds,
    a model class a builder takes), whether or not the module calls the operation it belongs to."""
    if not _ADAPTERS:
        classes = os.path.join(ROOT, "functions", "adapters", "target", "classes")
        files = glob.glob(os.path.join(classes, "**", "*.class"), recursive=True)
        if not files:
            sys.exit(f"{classes} has no classes: build the adapters first (mvn -o compile -pl functions/adapters -am)")
        _ADAPTERS.append(b"\n".join(open(f, "rb").read() for f in sorted(files)))
    return _ADAPTERS[0]


def block_for(module_dir, version):
    services = read_operations(os.path.join(module_dir, "sdk-operations.txt"))
    lines = [f"{BEGIN} generated by scripts/sdk-shade-filter.py from sdk-operations.txt, SDK {version} -->"]
    for service, operations in services.items():
        service_lines, count = filter_lines(service, operations, version)
        lines += service_lines
        print(f"{os.path.basename(module_dir)}: {service} {len(operations)} operations, {count} classes beside the client's own packages")
    lines.append(END)
    return "\n".join(INDENT + line for line in lines)


def main(args):
    args = list(args)
    if "--repository" in args:
        i = args.index("--repository")
        if i + 1 >= len(args):
            sys.exit("--repository needs a directory: the local Maven repository")
        repository = os.path.abspath(os.path.expanduser(args[i + 1]))
        if not os.path.isdir(repository):
            sys.exit(f"--repository {args[i + 1]}: no such directory")
        _REPOSITORY.append(repository)
        del args[i:i + 2]
    check = "--check" in args
    modules = [a.rstrip("/") for a in args if a != "--check"] or sorted(
        os.path.dirname(p) for p in glob.glob(os.path.join(ROOT, "functions", "*", "sdk-operations.txt")))
    version = sdk_version()
    stale = []
    for module in modules:
        module_dir = module if os.path.isabs(module) else os.path.join(ROOT, module)
        pom_path = os.path.join(module_dir, "pom.xml")
        pom = open(pom_path, encoding="utf-8").read()
        start, stop = pom.find(INDENT + BEGIN), pom.find(END)
        if start < 0 or stop < 0:
            sys.exit(f"{pom_path}: no {BEGIN} ... {END} markers inside the shade plugin's <filters>")
        updated = pom[:start] + block_for(module_dir, version) + pom[stop + len(END):]
        if updated == pom:
            continue
        if check:
            stale.append(pom_path)
        else:
            open(pom_path, "w", encoding="utf-8").write(updated)
            print(f"{os.path.relpath(pom_path, ROOT)}: written")
    if stale:
        sys.exit("not what scripts/sdk-shade-filter.py writes (run it): " + ", ".join(stale))


if __name__ == "__main__":
    main(sys.argv[1:])
