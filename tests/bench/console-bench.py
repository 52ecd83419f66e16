#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Console benchmark: Vireo's VNC console vs remote-viewer on one animated guest.

The guest (tests/bench/console-guest.asm, one boot sector) redraws the whole
VGA mode 13h screen 60 times a second. QEMU (TCG) runs it, started by Vireo's
own builtin backend (`vireoctl start`); a wrapper (console-qemu-wrapper.sh)
adds a second listener on 127.0.0.1 to the same QEMU VNC server for
remote-viewer and a QMP socket of the benchmark's own. One Xvfb, one guest,
and the clients one after the other in every round (the order rotates each
round), each with its toplevel set to the same size:

  vireo          vireo --connect builtin:///session --show-domain-console NAME,
                 GSK_RENDERER unset: the renderer Vireo picks for the machine
                 (src/ui/vireo-renderer.c: cairo without a GPU render node)
  vireo-cairo    the same with GSK_RENDERER=cairo
  vireo-gl       the same with GSK_RENDERER=gl (under Xvfb: Mesa's llvmpipe)
  remote-viewer  remote-viewer vnc://127.0.0.1:PORT (virt-viewer 11, GTK 3,
                 gtk-vnc)

For each, after --warmup seconds of frames:
  fps          distinct frames reaching the toplevel per second, counted by
               console-bench-x (XDamage + a read-back row; see its header)
  cpu_ms       CPU time (utime+stime, all threads, /proc/PID/stat) of the
               client per distinct frame, over the same --measure seconds
  xvfb_ms      CPU time of the X server per frame in that window (it composes
               what the client sends: part of the cost of showing a frame)
  latency_ms   --keys key presses injected with XTEST into the focused client,
               each timed until the guest reports on its serial port that
               its framebuffer shows the new colour
"""

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ui"))
import vireo_ui as V  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
VM = "console-bench"
# "vireo-gl" (GL on llvmpipe here) is left out by default: see write_markdown.
KINDS = ("vireo", "remote-viewer")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


class Qmp:
    def __init__(self, path, timeout=10):
        end = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))

    def close(self):
        self.s.close()


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)      # P6 W H MAX pixels
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4]


def marker_rgb(qmp, shot):
    qmp.cmd("screendump", filename=shot)
    w, h, px = read_ppm(shot)
    return tuple(px[(10 * w + 10) * 3:(10 * w + 10) * 3 + 3]), (w, h)


def xdotool(env, *args, timeout=20):
    r = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=timeout)
    return r.stdout.split()


def find_window(env, pid, name, timeout=60):
    """The visible toplevel of @pid whose title matches @name."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ids = xdotool(env, "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", name)
        if ids:
            return int(ids[0])
        time.sleep(0.3)
    raise V.HarnessError("no window named %r for pid %d" % (name, pid))


def client_argv(kind, args):
    """argv and environment changes (None: unset) of one client."""
    if kind.startswith("vireo"):
        env = {"GSETTINGS_SCHEMA_DIR": args.settings_dir, "GSETTINGS_BACKEND": "memory",
               "GSK_RENDERER": {"vireo-cairo": "cairo", "vireo-gl": "gl"}.get(kind)}
        return ([args.vireo, "--no-remembered", "--connect", "builtin:///session",
                 "--show-domain-console", VM], env, "^%s on " % VM)
    if kind == "remote-viewer":
        rv = V.require_program("remote-viewer", "virt-viewer")
        return ([rv, "--title", VM + " remote-viewer", "vnc://127.0.0.1:%d" % args.vnc_port],
                {}, "^%s remote-viewer" % VM)
    raise SystemExit("unknown client %s" % kind)


def run_x(env, args, *argv, timeout=120):
    r = subprocess.run([args.xprobe, *argv], env=env, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise V.HarnessError("console-bench-x %s failed: %s" % (argv[0], r.stderr.strip()))
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure_client(s, kind, args, ctx, rnd):
    argv, envchg, title = client_argv(kind, args)
    env = dict(s.env)
    for k, v in envchg.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    V.log("round %d: %s: %s" % (rnd + 1, kind, " ".join(argv)))
    proc = s._spawn("%s-%d" % (kind, rnd), argv, env=env)
    res = {"kind": kind, "round": rnd + 1}
    try:
        wid = find_window(s.env, proc.pid, title)
        # Frames flowing before the clock starts; then the size, set after
        # the client has sized itself to the guest (remote-viewer does).
        end = time.monotonic() + 60
        while True:
            probe = run_x(s.env, args, "frames", str(wid), "1")
            if probe["distinct"] >= 3:
                break
            if time.monotonic() > end or proc.poll() is not None:
                raise V.HarnessError("%s shows no frames (%r)" % (kind, probe))
        for _ in range(10):
            xdotool(s.env, "windowmove", str(wid), "0", "0")
            xdotool(s.env, "windowsize", str(wid), str(args.width), str(args.height))
            xdotool(s.env, "windowraise", str(wid))
            time.sleep(1)
            probe = run_x(s.env, args, "frames", str(wid), "1")
            if (probe["width"], probe["height"]) == (args.width, args.height):
                break
        else:
            raise V.HarnessError("%s keeps its window at %dx%d" % (kind, probe["width"], probe["height"]))
        time.sleep(args.warmup)
        c0, x0, q0, t0 = cpu_ticks(proc.pid), cpu_ticks(ctx["xvfb"]), cpu_ticks(ctx["qemu"]), time.monotonic()
        fr = run_x(s.env, args, "frames", str(wid), str(args.measure))
        c1, x1, q1, t1 = cpu_ticks(proc.pid), cpu_ticks(ctx["xvfb"]), cpu_ticks(ctx["qemu"]), time.monotonic()
        if proc.poll() is not None:
            raise V.HarnessError("%s exited during the measurement" % kind)
        wall = t1 - t0
        # Guest frames shown: how often each sampled row of the guest display
        # changed (median over the rows), whether a client paints a frame
        # at once or in parts.
        shown = statistics.median(fr["row_changes"])
        n = max(shown, 1)
        res.update(frames=fr, wall_s=wall,
                   fps=shown / fr["seconds"],
                   paints_fps=fr["distinct"] / fr["seconds"],
                   damage_fps=fr["frames"] / fr["seconds"],
                   full_fps=fr["full"] / fr["seconds"],
                   cpu_s=(c1 - c0) / CLK_TCK, xvfb_cpu_s=(x1 - x0) / CLK_TCK,
                   qemu_cpu_s=(q1 - q0) / CLK_TCK)
        res["cpu_ms"] = 1000.0 * res["cpu_s"] / n
        res["xvfb_ms"] = 1000.0 * res["xvfb_cpu_s"] / n
        res["cpu_pct"] = 100.0 * res["cpu_s"] / wall
        res["qemu_pct"] = 100.0 * res["qemu_cpu_s"] / wall
        res["geometry"] = "%dx%d" % (fr["width"], fr["height"])
        if args.shots:
            subprocess.run(["import", "-window", str(wid),
                            os.path.join(args.shots, "%s-%d.png" % (kind, rnd + 1))],
                           env=s.env, timeout=30, check=False)
        if args.keys > 0:
            before, _ = marker_rgb(ctx["qmp"], os.path.join(ctx["work"], "before.ppm"))
            lat = run_x(s.env, args, "latency", str(wid), ctx["serial"], str(args.keys),
                        timeout=args.keys * 3 + 30)
            after, _ = marker_rgb(ctx["qmp"], os.path.join(ctx["work"], "after.ppm"))
            vals = [v for v in lat["latency_ms"] if v is not None]
            res.update(latency_all=lat["latency_ms"],
                       latency_ms=statistics.median(vals) if vals else None,
                       latency_lost=sum(1 for v in lat["latency_ms"] if v is None),
                       marker_before=before, marker_after=after)
            # An odd number of answered keys must have flipped the marker.
            res["marker_ok"] = (before != after) == (len(vals) % 2 == 1)
        V.log("round %d: %s: fps %.1f (paints %.1f, whole-frame paints %.1f), %.2f ms CPU/frame, "
              "X %.2f ms/frame, latency %s ms" % (rnd + 1, kind, res["fps"], res["paints_fps"], res["full_fps"], res["cpu_ms"],
                                 res["xvfb_ms"], res.get("latency_ms")))
    except Exception:
        s.screenshot(os.path.join(s.tmp, "failure-%s.png" % kind))
        raise
    finally:
        V.kill_pid_tree_group(proc)
    return res


def write_domain(s, work, image):
    uuid = str(uuidlib.uuid4())
    d = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, uuid + ".xml"), "w") as f:
        f.write("""<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%s'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <graphics type='vnc'/>
    <video><model type='vga'/></video>
    <serial type='pty'/>
  </devices>
</domain>
""" % (VM, uuid, image))
    return uuid


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def pkgver(p):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def machine_info():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "gtk4": pkgver("libgtk-4-1"), "gtk3": pkgver("libgtk-3-0"),
            "gtk-vnc": pkgver("libgtk-vnc-2.0-0"), "gvnc": pkgver("libgvnc-1.0-0"),
            "virt-viewer": pkgver("virt-viewer"), "qemu": pkgver("qemu-system-x86"),
            "mesa": pkgver("libgl1-mesa-dri"), "loadavg": load}


def run(args):
    results = []
    with V.Session(width=1280, height=1024) as s:
        work = s.tmp
        wrapdir = os.path.join(work, "bin")
        os.makedirs(wrapdir, exist_ok=True)
        real_qemu = V.require_program("qemu-system-x86_64", "qemu-system-x86")
        os.symlink(os.path.abspath(args.wrapper), os.path.join(wrapdir, "qemu-system-x86_64"))
        qmp_path = os.path.join(work, "bench-qmp.sock")
        env = dict(s.env)
        env.update(PATH=wrapdir + ":" + env["PATH"], CONSOLE_BENCH_QEMU=real_qemu,
                   CONSOLE_BENCH_VNC_DISPLAY=str(args.vnc_port - 5900),
                   CONSOLE_BENCH_QMP=qmp_path)
        uuid = write_domain(s, work, os.path.abspath(args.image))
        r = subprocess.run([args.vireoctl, "--connect", "builtin:///session", "start", VM],
                           env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise V.HarnessError("vireoctl start failed: %s%s" % (r.stdout, r.stderr))
        rundir = os.path.join(s.env["XDG_RUNTIME_DIR"], "vireo", uuid)
        with open(os.path.join(rundir, "qemu.pid")) as f:
            qemu_pid = int(f.read().strip())

        def stop_guest():
            subprocess.run([args.vireoctl, "--connect", "builtin:///session", "destroy", VM],
                           env=env, capture_output=True, timeout=60)
        s.cleanups.append(stop_guest)
        qmp = Qmp(qmp_path)
        s.cleanups.append(qmp.close)
        # The guest is animating: two dumps a frame apart differ.
        time.sleep(2)
        a, size = marker_rgb(qmp, os.path.join(work, "a.ppm"))
        time.sleep(0.1)
        marker_rgb(qmp, os.path.join(work, "b.ppm"))
        with open(os.path.join(work, "a.ppm"), "rb") as fa, open(os.path.join(work, "b.ppm"), "rb") as fb:
            if fa.read() == fb.read():
                raise V.HarnessError("the guest is not animating")
        V.log("guest up: QEMU pid %d, screen %dx%d, marker %r" % (qemu_pid, size[0], size[1], a))
        ctx = {"xvfb": next(p.pid for n, p in s.procs if n == "xvfb"), "qemu": qemu_pid,
               "qmp": qmp, "serial": os.path.join(rundir, "serial.sock"), "work": work,
               "guest_size": size}
        kinds = args.only.split(",")
        for rnd in range(args.rounds):
            order = kinds[rnd % len(kinds):] + kinds[:rnd % len(kinds)]
            for kind in order:
                try:
                    results.append(measure_client(s, kind, args, ctx, rnd))
                except V.HarnessError as e:
                    # One client failing (e.g. never showing the guest) is a
                    # result too; the others are still measured.
                    V.log("round %d: %s failed: %s" % (rnd + 1, kind, e))
                    results.append({"kind": kind, "round": rnd + 1, "error": str(e)[:300]})
                if args.json:
                    with open(args.json, "w") as f:
                        json.dump({"results": results}, f, indent=1)
        guest = {"size": size}
    return results, guest


def summarize(results, kinds):
    med = {}
    for k in kinds:
        runs = [r for r in results if r["kind"] == k and "error" not in r]
        errors = [r["error"] for r in results if r["kind"] == k and "error" in r]
        if not runs:
            med[k] = {"runs": 0, "errors": errors}
            continue
        med[k] = {m: median([r.get(m) for r in runs])
                  for m in ("fps", "paints_fps", "full_fps", "damage_fps", "cpu_ms", "xvfb_ms", "cpu_pct", "qemu_pct", "latency_ms")}
        med[k]["cpu_x_ms"] = median([r["cpu_ms"] + r["xvfb_ms"] for r in runs])
        lat = [v for r in runs for v in r.get("latency_all", []) if v is not None]
        med[k]["latency_all_ms"] = statistics.median(lat) if lat else None
        med[k]["latency_p90_ms"] = statistics.quantiles(lat, n=10)[-1] if len(lat) >= 10 else None
        med[k]["latency_lost"] = sum(r.get("latency_lost", 0) for r in runs)
        med[k]["latency_n"] = len(lat)
        med[k]["marker_ok"] = all(r.get("marker_ok", True) for r in runs)
        med[k]["geometry"] = sorted({r.get("geometry") for r in runs})
        med[k]["runs"] = len(runs)
        med[k]["errors"] = errors
    return med


LABELS = {
    "vireo": "Vireo (cairo: its own choice, no GPU here)",
    "vireo-cairo": "Vireo, `GSK_RENDERER=cairo`",
    "vireo-gl": "Vireo, `GSK_RENDERER=gl` (llvmpipe under Xvfb)",
    "remote-viewer": "remote-viewer %s (GTK 3, gtk-vnc %s)",
}
SECTION = "## Console: VNC display vs remote-viewer"


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def ratio(a, b):
    return None if (a is None or b in (None, 0)) else a / b


def write_markdown(path, out, args):
    med, info, results = out["medians"], out["machine"], out["results"]
    kinds = args.only.split(",")
    rv = med.get("remote-viewer", {})
    label = dict(LABELS)
    label["remote-viewer"] = label["remote-viewer"] % (info["virt-viewer"], info["gtk-vnc"])
    L = []
    L.append(SECTION)
    L.append("")
    L.append("One guest of our own (`tests/bench/console-guest.asm`, a boot sector) redraws the whole "
             "VGA mode 13h screen 60 times a second with a moving pattern in which every pixel changes "
             "every frame; QEMU %s (TCG) shows it as a %d×%d VNC desktop. QEMU is started by Vireo's "
             "builtin backend (`vireoctl start`); remote-viewer reaches the same QEMU VNC server on "
             "127.0.0.1 (it cannot open a VNC unix socket), Vireo on the builtin's unix socket; so Vireo "
             "asks for RAW pixels (its choice for a server on the same machine) and remote-viewer for "
             "Tight (gtk-vnc's default). "
             "Each client's toplevel is set to %d×%d in one Xvfb (no window manager), so both scale the "
             "guest to fit (×1.6). %d rounds, the clients one after the other in each round, the order "
             "rotating; %g s of warm-up, then %g s measured, then %d key presses. Medians over the rounds. "
             "Measured %s; load average %s before and %s after the run (the machine is shared)."
             % (info["qemu"], out["guest"]["size"][0], out["guest"]["size"][1], args.width, args.height,
                args.rounds, args.warmup, args.measure, args.keys, time.strftime("%Y-%m-%d"),
                " ".join(info["loadavg_before"]), " ".join(info["loadavg"])))
    L.append("")
    L.append("| Program | guest frames shown /s | paints /s (whole-frame) | client CPU per frame (ms) "
             "| X server CPU per frame (ms) | client CPU (% of a core) | keypress → guest (ms, median / p90) |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for k in kinds:
        m = med.get(k, {})
        if not m.get("runs"):
            L.append("| %s | did not show the guest: %s | | | | | |"
                     % (label[k], (m.get("errors") or ["?"])[0].replace("|", "/")[:160]))
            continue
        L.append("| %s | %s | %s (%s) | %s | %s | %s | %s / %s |" % (
            label[k], fmt(m["fps"], ".1f"), fmt(m["paints_fps"], ".1f"), fmt(m["full_fps"], ".1f"),
            fmt(m["cpu_ms"], ".2f"), fmt(m["xvfb_ms"], ".2f"), fmt(m["cpu_pct"], ".1f"),
            fmt(m["latency_all_ms"], ".1f"), fmt(m["latency_p90_ms"], ".1f")))
    L.append("")
    judged = next((k for k in ("vireo", "vireo-cairo") if med.get(k, {}).get("runs")), None)
    if judged and rv.get("runs"):
        v = med[judged]
        fps_r = ratio(v["fps"], rv["fps"])
        cpu_r = ratio(v["cpu_ms"], rv["cpu_ms"])
        tot_r = ratio(v["cpu_ms"] + v["xvfb_ms"], rv["cpu_ms"] + rv["xvfb_ms"])
        lat_r = ratio(v["latency_all_ms"], rv["latency_all_ms"])

        def met(ok):
            return "yes" if ok else "**no**"
        L.append("| Vireo target (%s) | measured (Vireo ÷ remote-viewer) | met? |" % label[judged])
        L.append("|---|---:|---|")
        L.append("| guest frames shown /s ≥ remote-viewer's | %s vs %s (%s×) | %s |" % (
            fmt(v["fps"], ".1f"), fmt(rv["fps"], ".1f"), fmt(fps_r, ".2f"), met(fps_r is not None and fps_r >= 1)))
        L.append("| client CPU per frame ≤ 0.7 × remote-viewer's | %s vs %s ms (%s×) | %s |" % (
            fmt(v["cpu_ms"], ".2f"), fmt(rv["cpu_ms"], ".2f"), fmt(cpu_r, ".2f"), met(cpu_r is not None and cpu_r <= 0.7)))
        L.append("| (client + X server CPU per frame, for reference) | %s vs %s ms (%s×) | |" % (
            fmt(v["cpu_ms"] + v["xvfb_ms"], ".2f"), fmt(rv["cpu_ms"] + rv["xvfb_ms"], ".2f"), fmt(tot_r, ".2f")))
        L.append("| keypress → guest latency (reported) | %s vs %s ms median (%s×) | |" % (
            fmt(v["latency_all_ms"], ".1f"), fmt(rv["latency_all_ms"], ".1f"), fmt(lat_r, ".2f")))
        L.append("")
    L.append("Vireo runs as a user starts it (`GSK_RENDERER` unset). Where the machine has no GPU "
             "render node it picks GTK's cairo renderer itself (`src/ui/vireo-renderer.c`), as here: "
             "GTK 4.8's default, GL, would be Mesa's llvmpipe, a software rasterizer drawing every frame "
             "on the CPU. remote-viewer is GTK 3 and draws with cairo.")
    L.append("")
    if "vireo-gl" in kinds:
        L.append("The `GSK_RENDERER=gl` row forces that GL renderer: on llvmpipe it costs that much CPU "
                 "per frame, which a machine without a GPU would pay without the choice above.")
        L.append("")
    else:
        L.append("GL is not in the table (add it with `--only vireo,vireo-gl,remote-viewer`). Until "
                 "2026-11-28 Vireo's console stayed at “Connecting…” with it under Xvfb: each frame of "
                 "the turning spinner took longer than the refresh interval, so GTK's frame clock was "
                 "always due and gtk-vnc's idle-priority open never ran; the spinner now stands still "
                 "once the socket is handed over (`ui-console-gl` checks it).")
        L.append("")
    L.append("What is measured:")
    L.append("")
    L.append("- *guest frames shown /s*: `tests/bench/console-bench-x.c` watches the client's toplevel "
             "with XDamage; after each paint (damage events less than 4 ms apart are one paint) it reads "
             "back 8 rows spread over the guest display (XGetImage). Every guest frame changes every "
             "pixel, so each row changes once per guest frame that reaches the screen, whether the client "
             "paints a frame at once or in parts; the figure is the median over the 8 rows of their changes "
             "per second. *paints /s* counts paints that changed any sampled row, *whole-frame* those that "
             "changed all 8 (a paint of a complete new frame). The pointer is kept off the window.")
    L.append("- *CPU per frame*: utime+stime of the process (all threads) from `/proc/PID/stat` over the "
             "measured window, divided by the guest frames shown in it; the same for the X server, which "
             "does the scaling for remote-viewer (GTK 3 draws through XRender) but not for Vireo (GTK 4 "
             "composes in the client).")
    L.append("- *keypress → guest*: the client's window is focused and clicked (as a user would), then a "
             "key press and release is injected with XTEST (what xdotool does) every 250–400 ms. On each "
             "key the guest flips the colour of the whole screen and of a marker, and only after the new "
             "marker is in video memory writes a byte to its serial port; the time is from the injection to "
             "that byte on the builtin's serial socket, i.e. until the change is in the guest's own "
             "framebuffer. A QMP screendump of the marker before and after each series checks that the "
             "keys really changed it (%s)." % (
                 "all series consistent" if all(med.get(k, {}).get("marker_ok", True) for k in kinds)
                 else "**a series was inconsistent**"))
    L.append("")
    L.append("Per round (guest frames /s, client ms CPU per frame, median key latency ms):")
    L.append("")
    for k in kinds:
        rows = []
        for r in results:
            if r["kind"] != k:
                continue
            if "error" in r:
                rows.append("failed")
            else:
                rows.append("%s / %s / %s" % (fmt(r["fps"], ".1f"), fmt(r["cpu_ms"], ".2f"),
                                              fmt(r.get("latency_ms"), ".1f")))
        L.append("- %s: %s" % (k, "; ".join(rows)))
    L.append("")
    L.append("Machine: %s, %d cores, Linux %s; GTK %s, GTK 3 %s, gtk-vnc %s, gvnc %s, virt-viewer %s, "
             "QEMU %s, Mesa %s." % (info["cpu"], info["cores"], info["kernel"], info["gtk4"], info["gtk3"],
                                    info["gtk-vnc"], info["gvnc"], info["virt-viewer"], info["qemu"],
                                    info["mesa"]))
    L.append("")
    L.append("Reproduce (from the source tree, with an optimized build; about %d min):"
             % max(1, round(args.rounds * len(kinds) * (args.warmup + args.measure + args.keys * 0.45 + 20) / 60)))
    L.append("")
    L.append("```")
    L.append("meson setup build --buildtype=release && ninja -C build")
    L.append(args.cmdline)
    L.append("```")
    L.append("")
    section = "\n".join(L)

    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if SECTION in old:
        head, _, rest = old.partition(SECTION)
        nxt = re.search(r"^## ", rest, re.M)
        tail = rest[nxt.start():] if nxt else ""
        new = head + section + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--vireoctl", required=True)
    ap.add_argument("--xprobe", required=True, help="console-bench-x")
    ap.add_argument("--image", required=True, help="the guest's disk image")
    ap.add_argument("--wrapper", default=os.path.join(HERE, "console-qemu-wrapper.sh"))
    ap.add_argument("--settings-dir", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--measure", type=float, default=20)
    ap.add_argument("--keys", type=int, default=25)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=768)
    ap.add_argument("--vnc-port", type=int, default=0)
    ap.add_argument("--only", default=",".join(KINDS))
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--shots")
    ap.add_argument("--cmdline", default="tests/bench/console-bench.sh")
    ap.add_argument("--from-json", help="only rewrite --markdown from this earlier --json")
    if "--from-json" in sys.argv:
        for a in ap._actions:
            a.required = False
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            out = json.load(f)
        for k, v in out["args"].items():
            if k not in ("markdown", "from_json"):
                setattr(args, k, v)
        write_markdown(args.markdown, out, args)
        return
    if args.vnc_port == 0:
        for p in range(5990, 5900, -1):
            with socket.socket() as so:
                try:
                    so.bind(("127.0.0.1", p))
                    args.vnc_port = p
                    break
                except OSError:
                    continue
    info_before = machine_info()
    results, guest = run(args)
    kinds = args.only.split(",")
    med = summarize(results, kinds)
    info = machine_info()
    info["loadavg_before"] = info_before["loadavg"]
    out = {"results": results, "medians": med, "machine": info, "guest": guest,
           "args": {k: v for k, v in vars(args).items()}}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.markdown:
        write_markdown(args.markdown, out, args)
    print(json.dumps(med, indent=1))


if __name__ == "__main__":
    main()
