#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the Flatpak manifest: valid JSON, the right app-id, a 'vireo' module,
and only git/dir sources (no tarballs with placeholder checksums)."""
import json
import sys

APP_ID = 'io.github.vireo.Vireo'


def modules(mods):
    for mod in mods:
        if isinstance(mod, dict):
            yield mod
            yield from modules(mod.get('modules', []))


def main(path):
    errors = []
    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f'{path}: {e}')
        return 1
    app_id = manifest.get('app-id', manifest.get('id'))
    if app_id != APP_ID:
        errors.append(f'app-id is {app_id!r}, expected {APP_ID!r}')
    mods = list(modules(manifest.get('modules', [])))
    names = [m.get('name') for m in mods]
    if 'vireo' not in names:
        errors.append("no module named 'vireo'")
    elif names[-1] != 'vireo':
        errors.append("the 'vireo' module must come last, after its dependencies")
    for mod in mods:
        for src in mod.get('sources', []):
            if not isinstance(src, dict):
                continue
            kind = src.get('type')
            if kind == 'git' and not (src.get('tag') or src.get('commit') or src.get('branch')):
                errors.append(f"module {mod.get('name')}: git source without tag or commit")
            if kind in ('archive', 'file') and 'url' in src:
                sha = src.get('sha256', '')
                if len(sha) != 64 or not all(c in '0123456789abcdef' for c in sha):
                    errors.append(f"module {mod.get('name')}: {kind} source without a real sha256")
    for arg in ('--share=network', '--socket=wayland', '--socket=fallback-x11',
                '--device=dri', '--filesystem=xdg-run/libvirt', '--filesystem=/run/libvirt',
                '--talk-name=org.freedesktop.secrets'):
        if arg not in manifest.get('finish-args', []):
            errors.append(f'finish-args lacks {arg}')
    for e in errors:
        print(f'{path}: {e}')
    if not errors:
        print(f'{path}: OK ({len(mods)} modules)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'io.github.vireo.Vireo.json'))
