#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Manager benchmark: 1,000 VMs (600 running) on the libvirt test driver.

Measures, in Xvfb with GSK_RENDERER=cairo and an accessibility bus running
(as in a GNOME session), for
  bare          tests/bench/bare-window.c: one libadwaita window, empty list
  vireo         build/src/ui/vireo --no-remembered --connect test:///…/many.xml
                (all four graph columns on, 1 s statistics interval)
  virt-manager  virt-manager --no-fork --connect test:///…/many.xml (its defaults)
these numbers, each the median of --runs runs in fresh X/D-Bus sessions:
  list_s   seconds from exec() until the whole list is in the accessibility
           tree (see measure_list_* for exactly what is polled)
  cpu_pct  CPU time (utime+stime of the process, all threads, from
           /proc/PID/stat) over --measure seconds that start --warmup seconds
           after exec(), as % of one core; no AT-SPI client is querying then
  hwm_mb   peak RSS (VmHWM of /proc/PID/status) at the end of the run, MiB

Run through tests/bench/manager-bench.sh, which builds what is needed.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ui"))
import vireo_ui as V  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # comm may contain spaces: fields start after the last ')'
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])      # utime, stime (all threads)


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])       # kB
    return None


def vm_name(i, n):
    return "vm-%0*d" % (max(5, len(str(n))), i)


# ---- list timing -----------------------------------------------------------

LISTS = ("list", "tree table", "table", "tree")


def _vertical_bar_values(s):
    """Value accessibles of the vertical scrollbars, found without walking
    into lists (their rows are what we must not perturb or wait for)."""
    out = []
    for a, _ in s.iter_tree(s.app_acc, prune=lambda x: s.role_name(x) in LISTS):
        if s.role_name(a) == "scroll bar" and "vertical" in s.states(a):
            for c, _ in s.iter_tree(a, 2):
                if "Value" in c.get_interfaces():
                    out.append(c)
    return out


def measure_list_vireo(s, t0, n, last_name, deadline):
    """Vireo's GtkListView puts only the rows on screen into the tree, and a
    tree walk over them takes longer than the list takes to fill. So the
    full list is observed through the list's vertical scrollbar: its range
    (AT-SPI Value maximum) is the height of all rows. Polled every ~10 ms
    until it has not changed for 2 s; the time is when it first reached its
    final value, and the final value divided by one row's height must be
    n VM rows + 1 connection row."""
    bars = []
    while not bars and time.monotonic() < deadline:
        bars = _vertical_bar_values(s)
    timeline = []
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        vals = []
        for b in bars:
            try:
                vals.append(b.get_maximum_value())
            except Exception:  # noqa: BLE001
                pass
        v = max(vals) if vals else 0.0
        timeline.append((now, v))
        if v > 0:
            since = now
            for t, vv in reversed(timeline):
                if vv != v:
                    break
                since = t
            if now - since >= 2.0:
                break
        time.sleep(0.01)
    if not timeline:
        return None, None, "no vertical scrollbar found"
    final = timeline[-1][1]
    t_full = timeline[-1][0]
    for t, vv in reversed(timeline):
        if vv != final:
            break
        t_full = t
    # one row's pitch: the distance between the tops of consecutive rows
    row_h = None
    for a, _ in s.iter_tree(s.app_acc, prune=lambda x: s.role_name(x) in LISTS):
        if s.role_name(a) == "list" and a.get_child_count() > 3:
            ys = [a.get_child_at_index(i).get_extents(V.Atspi.CoordType.WINDOW).y
                  for i in range(min(a.get_child_count(), 8))]
            steps = sorted(y2 - y1 for y1, y2 in zip(ys, ys[1:]) if y2 > y1)
            if steps:
                row_h = steps[len(steps) // 2]
                break
    rows = round(final / row_h) if row_h else None
    first = next((t for t, vv in timeline if vv > 0), None)
    how = ("Vireo: scrollbar range %.0f px = %s rows of %s px (want %d)"
           % (final, rows, row_h, n + 1))
    if timeline[0][1] == final:
        how += ", final already at the first sample"
    if rows is None or rows < n + 1:
        return first, None, how + " — NOT the full list"
    return first, t_full, how


def measure_list_virt_manager(s, t0, n, last_name, deadline):
    """virt-manager 4.1 (GTK 3) shows its VMs in a GtkTreeView whose
    accessible ("tree table") exposes every row through the Table interface:
    done when it has n VM rows below the connection row and the last row's
    name cell reads the last VM's name."""
    t_first = None
    table = None
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        try:
            if table is None:
                for a, _ in s.iter_tree(s.app_acc, prune=lambda x: s.role_name(x) in LISTS):
                    if s.role_name(a) == "tree table":
                        table = a
                        break
            if table is not None:
                rows = table.get_n_rows()
                if rows > 1 and t_first is None:
                    t_first = now
                if rows >= n + 1:
                    for c in range(table.get_n_columns()):
                        cell = table.get_accessible_at(rows - 1, c)
                        # the name cell's text is "NAME\nSTATE" (a child holds it)
                        if cell is not None and (last_name in s.name_of(cell) or
                                                 last_name in (s.text_of(cell) or "")):
                            return t_first, now, ("virt-manager: %d table rows, the last names %s"
                                                  % (rows, last_name))
        except V.HarnessError:
            raise
        except Exception:  # noqa: BLE001
            pass
        time.sleep(0.01)
    return t_first, None, "not reached"


# ---- one run (in a process of its own: one AT-SPI session per process) -------

def one_run(kind, mode, argv, args, env_extra=None):
    """mode "list": start, poll until the full list is shown, stop.
    mode "res": start, touch nothing, measure CPU and peak RSS."""
    res = {"kind": kind, "mode": mode}
    with V.Session() as s:
        env = dict(env_extra or {})
        if env.get("GSETTINGS_BACKEND") == "keyfile":
            kdir = os.path.join(s.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
            os.makedirs(kdir, exist_ok=True)
            with open(os.path.join(kdir, "keyfile"), "w") as f:
                f.write("[io/github/vireo/Vireo]\n"
                        "stats-interval=uint32 1000\n"
                        "show-cpu-graph=true\nshow-memory-graph=true\n"
                        "show-disk-graph=true\nshow-network-graph=true\n")
        t0 = time.monotonic()
        s.launch(argv, name=kind, env=env, wait=False)
        pid = s.app.pid
        if mode == "list":
            s.app_acc = s.wait_app(pid, 60)
            res["window_s"] = time.monotonic() - t0
            if kind != "bare":
                last = vm_name(args.n, args.n)
                fn = measure_list_vireo if kind == "vireo" else measure_list_virt_manager
                t_first, t_full, how = fn(s, t0, args.n, last, t0 + 60)
                res.update(first_rows_s=t_first, list_s=t_full, list_how=how)
            if args.shots:
                s.screenshot(os.path.join(args.shots, "%s-list.png" % kind))
        else:
            time.sleep(max(0.0, t0 + args.warmup - time.monotonic()))
            s.check_alive()
            c0, w0 = proc_cpu_ticks(pid), time.monotonic()
            time.sleep(args.measure)
            c1, w1 = proc_cpu_ticks(pid), time.monotonic()
            s.check_alive()
            res["cpu_pct"] = 100.0 * (c1 - c0) / CLK_TCK / (w1 - w0)
            res["hwm_mb"] = proc_status(pid, "VmHWM") / 1024.0
            res["rss_mb"] = proc_status(pid, "VmRSS") / 1024.0
            res["threads"] = proc_status(pid, "Threads")
            if args.shots:
                s.screenshot(os.path.join(args.shots, "%s-steady.png" % kind))
    return res


def run_child(kind, mode, args):
    """Runs one measurement in a fresh interpreter; returns its result dict."""
    argv = [sys.executable, os.path.abspath(__file__), "--child", kind, "--mode", mode]
    for k in ("vireo", "bare", "xml", "n", "running", "warmup", "measure", "settings_dir", "shots"):
        v = getattr(args, k)
        if v is not None:
            argv += ["--" + k.replace("_", "-"), str(v)]
    r = subprocess.run(argv, capture_output=True, text=True,
                       timeout=args.warmup + args.measure + 180)
    sys.stderr.write(r.stderr[-3000:] if r.returncode else "")
    for line in reversed(r.stdout.splitlines()):
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            V.log("%s/%s: %s" % (kind, mode, json.dumps(res)))
            return res
    raise SystemExit("measurement %s/%s failed (exit %d):\n%s" % (kind, mode, r.returncode,
                                                                  r.stderr[-3000:]))


def program_argv(kind, args):
    uri = "test://" + os.path.abspath(args.xml)
    if kind == "bare":
        return [args.bare], {}
    if kind == "vireo":
        # keyfile settings: the four graph columns and a 1 s interval, set
        # explicitly rather than trusting the schema's defaults.
        return ([args.vireo, "--no-remembered", "--connect", uri],
                {"GSETTINGS_BACKEND": "keyfile", "GSETTINGS_SCHEMA_DIR": args.settings_dir})
    if kind == "virt-manager":
        vm = V.require_program("virt-manager", "virt-manager")
        return [vm, "--no-fork", "--connect", uri], {}
    raise SystemExit("unknown program %s" % kind)


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def machine_info():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    try:
        with open("/etc/debian_version") as f:
            deb = f.read().strip()
    except OSError:
        deb = "?"

    def pkgver(p):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True, text=True)
        return r.stdout.strip() or "?"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "mem_mb": mem, "kernel": platform.release(),
        "debian": deb, "gtk4": pkgver("libgtk-4-1"), "libadwaita": pkgver("libadwaita-1-0"),
        "gtk3": pkgver("libgtk-3-0"), "virt-manager": pkgver("virt-manager"),
        "libvirt": pkgver("libvirt0"),
    }


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def ratio(a, b):
    return "n/a" if (a is None or b in (None, 0)) else "%.2f×" % (a / b)


def write_markdown(path, results, args, info, cmdline):
    med = {}
    for kind, runs in results.items():
        med[kind] = {k: median([r.get(k) for r in runs])
                     for k in ("cpu_pct", "hwm_mb", "list_s", "window_s")}
    bare, vir, vm = med.get("bare", {}), med.get("vireo", {}), med.get("virt-manager", {})
    lines = []
    lines.append("## Manager: 1,000 VMs")
    lines.append("")
    lines.append("%d VMs on the libvirt test driver, %d of them running (`tests/fixtures/make-many.py "
                 "%d %d`), in Xvfb 1280×1024 with `GSK_RENDERER=cairo` and an AT-SPI bus running "
                 "as in a GNOME session. Median of %d runs, each in a fresh X server and D-Bus "
                 "session. Measured %s." % (args.n, args.running, args.n, args.running, args.runs,
                                            time.strftime("%Y-%m-%d")))
    lines.append("")
    lines.append("| Program | steady CPU (% of one core) | peak RSS (VmHWM, MiB) | window on AT-SPI (s) | full list shown (s) |")
    lines.append("|---|---:|---:|---:|---:|")
    labels = {"bare": "bare libadwaita window (`tests/bench/bare-window.c`)",
              "vireo": "Vireo, 4 graph columns, 1 s statistics",
              "virt-manager": "virt-manager %s, its defaults" % info.get("virt-manager", "")}
    for kind in ("bare", "vireo", "virt-manager"):
        if kind not in med:
            continue
        m = med[kind]
        lines.append("| %s | %s | %s | %s | %s |" % (
            labels[kind], fmt(m["cpu_pct"], ".2f"), fmt(m["hwm_mb"], ".1f"),
            fmt(m["window_s"], ".2f"), "—" if kind == "bare" else fmt(m["list_s"], ".2f")))
    lines.append("")
    if vir:
        cpu = vir.get("cpu_pct")
        extra = (vir["hwm_mb"] - bare["hwm_mb"]) if vir.get("hwm_mb") and bare.get("hwm_mb") else None
        ls = vir.get("list_s")

        def met(ok):
            return "n/a" if ok is None else ("yes" if ok else "**no**")
        lines.append("| Vireo target | measured | met? |")
        lines.append("|---|---:|---|")
        lines.append("| steady CPU ≤ 1 %% of one core | %s %% | %s |"
                     % (fmt(cpu, ".2f"), met(None if cpu is None else cpu <= 1.0)))
        lines.append("| peak RSS ≤ bare window + 30 MiB | bare + %s MiB | %s |"
                     % (fmt(extra, ".1f"), met(None if extra is None else extra <= 30.0)))
        lines.append("| full list within 1 s | %s s | %s |"
                     % (fmt(ls, ".2f"), met(None if ls is None else ls <= 1.0)))
        lines.append("")
    if vir and vm:
        lines.append("virt-manager ÷ Vireo: steady CPU %s, peak RSS %s, full list %s. Above the bare "
                     "libadwaita window: Vireo +%s MiB, virt-manager +%s MiB (virt-manager is "
                     "GTK 3 + Python, so the libadwaita baseline is only a rough reference for it)."
                     % (ratio(vm.get("cpu_pct"), vir.get("cpu_pct")),
                        ratio(vm.get("hwm_mb"), vir.get("hwm_mb")),
                        ratio(vm.get("list_s"), vir.get("list_s")),
                        fmt((vir.get("hwm_mb") or 0) - (bare.get("hwm_mb") or 0), ".1f"),
                        fmt((vm.get("hwm_mb") or 0) - (bare.get("hwm_mb") or 0), ".1f")))
        lines.append("")
    lines.append("What is measured (each program is started twice per run, in separate sessions, "
                 "so that walking its accessibility tree for the list time cannot inflate its CPU "
                 "or memory figures):")
    lines.append("")
    lines.append("- *steady CPU*: utime+stime of the process, all threads, from `/proc/PID/stat`, "
                 "over %d s that start %d s after exec(), as %% of one core. Nothing queries "
                 "the app's accessibility tree in that run." % (args.measure, args.warmup))
    lines.append("- *peak RSS*: `VmHWM` of `/proc/PID/status` at the end of that run.")
    lines.append("- *window on AT-SPI*: exec() until the process's window is on the AT-SPI desktop.")
    lines.append("- *full list shown*, virt-manager: exec() until its GtkTreeView (AT-SPI "
                 "“tree table”) has %d VM rows under the connection row and the last row's name "
                 "cell reads `%s`." % (args.n, vm_name(args.n, args.n)))
    lines.append("- *full list shown*, Vireo: its GtkListView exposes only the rows on screen, so "
                 "the full list is seen through the list's vertical scrollbar: exec() until its "
                 "range (AT-SPI Value maximum, the height of all rows) first reaches the final "
                 "value, which must equal %d rows (%d VMs + the connection row) times the height of "
                 "one row; the value must then stay unchanged for 2 s. Polled every ~10 ms."
                 % (args.n + 1, args.n))
    how = sorted({r.get("list_how") for runs in results.values() for r in runs if r.get("list_how")})
    if how:
        lines.append("- seen in these runs: %s." % "; ".join(how))
    lines.append("")
    lines.append("Per run (steady CPU %, VmHWM MiB, full list s):")
    lines.append("")
    for kind, runs in results.items():
        lines.append("- %s: %s" % (kind, "; ".join(
            "%s / %s / %s" % (fmt(r.get("cpu_pct"), ".2f"), fmt(r.get("hwm_mb"), ".1f"),
                              fmt(r.get("list_s"), ".2f")) for r in runs)))
    lines.append("")
    lines.append("Machine: %s, %s cores, %s MiB RAM, Linux %s, Debian %s; GTK %s, libadwaita %s, "
                 "GTK 3 %s, libvirt %s, virt-manager %s." % (
                     info["cpu"], info["cores"], info["mem_mb"], info["kernel"], info["debian"],
                     info["gtk4"], info["libadwaita"], info["gtk3"], info["libvirt"],
                     info["virt-manager"]))
    lines.append("")
    lines.append("Reproduce (from the source tree; builds what it needs, about %d min):"
                 % max(1, round(args.runs * 3 * (args.warmup + args.measure + 15) / 60)))
    lines.append("")
    lines.append("```")
    lines.append(cmdline)
    lines.append("```")
    lines.append("")
    section = "\n".join(lines)

    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if "## Manager: 1,000 VMs" in old:
        head, _, rest = old.partition("## Manager: 1,000 VMs")
        nxt = re.search(r"^## ", rest, re.M)
        tail = rest[nxt.start():] if nxt else ""
        new = head + section + ("\n" + tail if tail else "")
    else:
        if not old:
            old = "# Vireo benchmarks\n\nNumbers measured on the project's machines; each section says how to reproduce it.\n\n"
        new = old.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--xml", required=True)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="res", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--running", type=int, default=600)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--measure", type=float, default=60)
    ap.add_argument("--only", default="bare,vireo,virt-manager")
    ap.add_argument("--settings-dir", required=True,
                    help="GSETTINGS_SCHEMA_DIR with Vireo's compiled schema")
    ap.add_argument("--markdown", help="write the section into this file")
    ap.add_argument("--json", help="write raw results here")
    ap.add_argument("--shots", help="directory for a screenshot of each run")
    ap.add_argument("--cmdline", default="tests/bench/manager-bench.sh")
    ap.add_argument("--resume", action="store_true",
                    help="keep the complete runs already in --json, do the rest")
    args = ap.parse_args()

    if args.child:
        argv, env = program_argv(args.child, args)
        res = one_run(args.child, args.mode, argv, args, env)
        print("RESULT " + json.dumps(res), flush=True)
        return

    kinds = args.only.split(",")
    results = {}
    if args.resume and args.json and os.path.exists(args.json):
        with open(args.json) as f:
            results = json.load(f)
        results = results.get("results", results)
        V.log("resuming from %s: %r" % (args.json, {k: len(v) for k, v in results.items()}))
    for run in range(args.runs):
        for kind in kinds:
            done = results.get(kind, [])
            if len(done) > run and "cpu_pct" in done[run] and "window_s" in done[run]:
                continue
            if len(done) > run:          # a half-done run: do it again
                del done[run:]
            for mode in ("list", "res"):
                V.log("run %d/%d: %s, %s" % (run + 1, args.runs, kind,
                                             "list timing" if mode == "list" else "CPU and memory"))
                r = run_child(kind, mode, args)
                runs = results.setdefault(kind, [])
                if mode == "list":
                    runs.append(r)
                else:
                    runs[-1].update({k: v for k, v in r.items() if k not in ("mode",)})
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(results, f, indent=1)
    info = machine_info()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "machine": info}, f, indent=1)
    if args.markdown:
        write_markdown(args.markdown, results, args, info, args.cmdline)
    print(json.dumps({k: {m: median([r.get(m) for r in v]) for m in ("cpu_pct", "hwm_mb", "list_s", "window_s")}
                      for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
